import type { DiagnosisOutcome, RunEvent } from '../../domain/engine/types.js';
import type { NewOutboxMessage, StoredRun } from '../ports/run-store.js';
import type { ChatMessage } from './chat-port.js';
import type { RunState } from './run-state.js';

/** How the chat shows a run: its root message and its ledger (the chat adapter's renderers). */
export interface RunRenderers {
  root(state: RunState): ChatMessage;
  ledger(result: DiagnosisOutcome, state: RunState): ChatMessage;
}

/** Renders one run's events into its thread (the Slack thread reporter implements it). */
export interface ThreadReporter {
  /** Consumes the run to its end, reporting it as it goes; its result. */
  consume(run: AsyncGenerator<RunEvent, DiagnosisOutcome>): Promise<DiagnosisOutcome>;
  /** Closes the run's delivery without a ledger (the diagnosis failed); its queued messages still go out. */
  closeDelivery(): Promise<void>;
  /** Re-renders the run's root now. */
  refreshRoot(): Promise<void>;
}

export interface ThreadReporterOptions {
  /** The run's durable delivery is open: the reporter writes every message there first. */
  durable: boolean;
  /** Only the root (edited in place) and the ledger: no reply per step. */
  compact?: boolean;
  /** Called when the diagnosis itself is over, before its last posts are delivered. */
  onFinished?: () => void;
}

/**
 * The durable delivery of runs' threads: the run store's outbox, sent in order by the outbox sender. A process
 * without one (no run store) opens nothing, and its threads are sent directly.
 */
export interface ThreadDelivery {
  /** The replica whose claims the delivery takes. */
  readonly owner: string;
  /** True once delivery has stopped (shutdown past its grace): what is left stays pending for the next start. */
  readonly isStopped: boolean;
  /** Opens a run's delivery (its ledger closes it); false when there is none or the store refused (logged). */
  open(runId: string): Promise<boolean>;
  /** Sends what the run has pending, in order (only its thread's lane with `thread`); the run once settled. */
  deliver(runId: string, options?: { lanes?: 'thread' }): Promise<StoredRun | undefined>;
  /** The outbox entry of a root edit showing the run's current state. */
  rootEdit(state: RunState): NewOutboxMessage;
  /** Resolves once the run's root edits under way are done. */
  rootEditsSettled(runId: string): Promise<void>;
  /**
   * The run's thread is over: what was sent around the durable delivery (the store refused it) is added to the
   * run's undelivered count when `durable`, else forgotten.
   */
  threadOver(runId: string, durable: boolean): Promise<void>;
}
