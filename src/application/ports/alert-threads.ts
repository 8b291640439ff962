import type { AlertStatus } from '../../domain/alerts/alert.js';

/**
 * One alert diagnosis thread: where it is in Slack, what it diagnoses and which alerts are still firing in it. The
 * thread store keeps these and the keys that point at them (each alert's identity — `fp:<fingerprint>`,
 * `labels:{…}` or `text:<…>`, see `alertKey` —, the service, the alert message), so a repeat or a resolution finds
 * its thread, and two deliveries of one alert open one thread.
 */
export interface AlertThread {
  id: string;
  channel: string;
  /** Where replies go: the alert's own message (Slack alerts), or Triage's root message (webhook alerts, once posted). */
  threadTs: string | null;
  /** The diagnosis run, once started. */
  runId?: string;
  service: string | null;
  title: string;
  openedAt: Date;
  lastSeenAt: Date;
  status: AlertStatus;
  /** Keys of the alerts still firing in this thread; the thread is resolved when it is empty. */
  firing: string[];
}

/** A key to claim, and how recent a thread holding it must be to count (the dedupe or the grouping window). */
export interface ClaimKey {
  key: string;
  since: Date;
}

export interface ClaimResult {
  /** The thread that already holds one of the keys (null when the claim succeeded and `thread` now holds them). */
  holder: AlertThread | null;
  /** Which key matched. */
  matched?: string;
}

/**
 * The port for alert threads. Implementations must make `claim` atomic: of two deliveries of the same alert (two
 * replicas, or a Slack retry racing a webhook), exactly one gets `holder: null`.
 */
export interface AlertThreadStore {
  /** Binds every key to `thread` unless one of them already points at a thread opened at or after its `since`. */
  claim(keys: readonly ClaimKey[], thread: AlertThread): Promise<ClaimResult>;
  /** The thread one of `keys` points at (the first key that matches wins), if it was opened at or after `since`. */
  find(keys: readonly string[], since?: Date): Promise<AlertThread | undefined>;
  /** Points more keys at an existing thread (a grouped alert, a repeat, the message of an edit). */
  bind(keys: readonly string[], threadId: string): Promise<void>;
  update(threadId: string, patch: Partial<Omit<AlertThread, 'id'>>): Promise<AlertThread | undefined>;
  /** Forgets a thread and its keys (a claim whose diagnosis could not start). */
  release(threadId: string): Promise<void>;
}
