/** Where the alert intake reports its queue each time it changes (Triage's own metrics show it). */
export interface AlertQueueMetrics {
  /** Alert diagnoses waiting for a slot, and running now. */
  alertQueue(figures: { readonly queued: number; readonly running: number }): void;
}
