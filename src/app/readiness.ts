/**
 * Why the app is not ready, by component (`slack`, `prometheus`, `store`, …). `/readyz` answers 200 only when no
 * component has a reason; otherwise 503 with every reason.
 */
export class Readiness {
  private readonly reasons = new Map<string, string>();

  constructor(initial: Record<string, string> = {}) {
    for (const [key, reason] of Object.entries(initial)) this.reasons.set(key, reason);
  }

  /** Records why `component` keeps the app from being ready (`undefined`: it no longer does). */
  set(component: string, reason: string | undefined): void {
    if (reason === undefined) this.reasons.delete(component);
    else this.reasons.set(component, reason);
  }

  get ready(): boolean {
    return this.reasons.size === 0;
  }

  /** `component: reason` for each component not ready, in the order they were first reported. */
  why(): string[] {
    return [...this.reasons].map(([component, reason]) => `${component}: ${reason}`);
  }
}
