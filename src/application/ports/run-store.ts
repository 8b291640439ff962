import type { AlertThreadStore } from '../../application/ports/alert-threads.js';
import type { AlertSource, AlertStatus } from '../../domain/alerts/alert.js';
import type { DiagnosisOutcome, RunEvent } from '../../domain/engine/types.js';
import type { ParsedSymptom } from '../../domain/symptom/symptom.js';

/** What started a run. */
export type RunTrigger = 'command' | 'mention' | 'button' | 'alert' | 'webhook' | 'cli';

/**
 * `delivering`: the diagnosis is over (finished or failed) but messages of its thread still wait in the outbox; the
 * run turns `finished` or `failed` once every one of them is sent or marked failed.
 */
export type StoredRunStatus = 'running' | 'delivering' | 'finished' | 'failed' | 'interrupted';

/** What an outbox message does in Slack. */
export type OutboxKind = 'reply' | 'ledger' | 'root';

/**
 * Delivery state of an outbox message. `sending` means a send was started and its answer not recorded (a crash in
 * between): the next sender looks for it in the thread before sending it again.
 */
export type OutboxState = 'pending' | 'sending' | 'sent' | 'failed';

/** A message a run will post, already rendered and redacted. */
export interface NewOutboxMessage {
  kind: OutboxKind;
  channel: string;
  /** The thread a reply or ledger goes to. */
  threadTs: string | null;
  /** The message a root edit replaces. */
  targetTs: string | null;
  /** The Slack payload (text and blocks), stored as JSON; `label` names it in logs (`step pool-saturation`). */
  payload: { text: string; blocks?: unknown[]; label?: string };
}

export interface OutboxMessage extends NewOutboxMessage {
  runId: string;
  /** Order within the run: 1, 2, 3… */
  seq: number;
  state: OutboxState;
  /** The ts Slack gave the posted message (sent replies and ledgers; the target for root edits). */
  slackTs: string | null;
  /** Why it could not be delivered (a Slack error code). */
  error: string | null;
  createdAt: Date;
  /** When it was sent or given up. */
  settledAt: Date | null;
}

export type OutboxResult = { state: 'sent'; slackTs: string } | { state: 'failed'; error: string };

export interface DeliveryQuery {
  /** Runs owned by this replica. */
  owner?: string;
  /** Runs of any replica not updated since this time (a replica that died). */
  staleBefore?: Date;
}

/** A run whose thread is not complete: messages still pending, or its ledger never queued. */
export interface UndeliveredRun {
  run: StoredRun;
  /** True when the run's last message (its ledger) was never queued: the diagnosis or the process stopped first. */
  open: boolean;
  pending: number;
}

/** The alert a run diagnoses, as the run's root message shows it. */
export interface RunAlertInfo {
  source: AlertSource;
  title: string;
  alertname: string;
  /** The service this diagnosis of the alert is for (a grouped notification gets one diagnosis per service). */
  service?: string;
  severity?: string;
  status: AlertStatus;
  startsAt?: Date;
  resolvedAt?: Date;
  /** How many times the alert fired again into the thread. */
  repeats: number;
  /** Titles of other alerts for the same service folded into this diagnosis. */
  grouped: string[];
  /** Link to the alert in Alertmanager or Grafana. */
  link?: string;
}

/** A human's verdict on the top hypothesis (the Confirm / Reject buttons). */
export interface RunDecision {
  userId: string;
  decision: 'confirmed' | 'rejected';
  cause: string;
  at: Date;
}

/** One run as the store keeps it: enough to show it, re-run it and write its post-mortem. */
export interface StoredRun {
  id: string;
  trigger: RunTrigger;
  /** The symptom as typed (or the alert title). */
  text: string;
  symptom: ParsedSymptom;
  /** The service as discovered, once known (else the parsed guess). */
  service: string | null;
  playbook: string | null;
  status: StoredRunStatus;
  /** Where the run lives in Slack (null for CLI runs, or before the root message is posted). */
  channel: string | null;
  /** The root message's ts (edited in place with the summary). */
  rootTs: string | null;
  /** The thread replies go to: the root itself, or the thread it was posted in. */
  threadTs: string | null;
  /** Who asked (a Slack user id), null for alerts and the CLI. */
  userId: string | null;
  alert: RunAlertInfo | null;
  /** The replica running it (TRIAGE_REPLICA_ID); a restart of that replica marks its running runs interrupted. */
  owner: string;
  startedAt: Date;
  /** Bumped by every update and every appended event: a running run not updated for long is stale. */
  updatedAt: Date;
  finishedAt: Date | null;
  result: DiagnosisOutcome | null;
  decision: RunDecision | null;
  /** Slack posts that could not be delivered after retries. */
  undelivered: number;
}

export type NewRun = Omit<StoredRun, 'updatedAt' | 'finishedAt' | 'result' | 'decision' | 'undelivered' | 'status'> & {
  status?: StoredRunStatus;
};

export type RunPatch = Partial<
  Pick<
    StoredRun,
    | 'service'
    | 'playbook'
    | 'status'
    | 'channel'
    | 'rootTs'
    | 'threadTs'
    | 'alert'
    | 'finishedAt'
    | 'result'
    | 'decision'
    | 'undelivered'
    | 'owner'
  >
>;

/**
 * What is journalled about a run besides its engine events: decisions, alert lines in its thread, interruption,
 * and posts Slack never got.
 */
export type JournalNote =
  | { type: 'human-decision'; userId: string; decision: 'confirmed' | 'rejected'; cause: string }
  | { type: 'alert-repeat'; title: string; link?: string }
  | { type: 'alert-grouped'; title: string; link?: string }
  | { type: 'alert-resolved'; title: string; resolvedAt?: Date }
  | { type: 'interrupted'; reason: string }
  | { type: 'delivery-failed'; what: string; error: string }
  /** Sent to Slack without going through the outbox (the store refused its write): not resumable after a crash. */
  | { type: 'delivered-directly'; what: string; reason: string };

/** Engine events are stored as they are (minus nothing); notes carry their own fields. */
export type RunJournalEvent = RunEvent | (JournalNote & { at: Date });

export type StoredEventType = RunJournalEvent['type'];

export interface StoredEvent {
  runId: string;
  /** 1, 2, 3… per run, in the order appended. */
  seq: number;
  type: StoredEventType;
  at: Date;
  /** The event itself (an engine event or a note), with its dates revived. */
  data: RunJournalEvent;
}

export interface ListRunsQuery {
  /** Default 20, newest first (by start). */
  limit?: number;
  channel?: string;
  status?: StoredRunStatus;
}

/**
 * What became of a slash command recorded before it was acknowledged. `accepted`: recorded, its run not started yet
 * (the run takes the command's id, so a run with that id means the root was posted and recorded); `started`: its
 * root was posted; `declined`: it was not run and the user was told why (a twin was running, the channel refused
 * the root); `expired`: Triage restarted too long after it was asked to run it (the channel was told).
 */
export type CommandStatus = 'accepted' | 'started' | 'declined' | 'expired';

/** A `/diagnose` as accepted, before its root message is posted. */
export interface NewCommand {
  /** The id its run will have. */
  id: string;
  channel: string;
  userId: string;
  teamId: string | null;
  /** The command text, redacted. */
  text: string;
  /** The symptom as parsed when the command was received (its window anchored then), redacted. */
  symptom: ParsedSymptom;
  /** Slack's response URL for the command (answers to the user for 30 minutes); cleared once the command settles. */
  responseUrl: string | null;
  receivedAt: Date;
  /** The replica that accepted it (TRIAGE_REPLICA_ID). */
  owner: string;
}

export interface StoredCommand extends NewCommand {
  status: CommandStatus;
  /** Stamped by the store at every change: an accepted command not touched for long belongs to a dead replica. */
  updatedAt: Date;
}

export interface ClaimCommandsQuery {
  /** The claiming replica: it takes its own commands left by an earlier process, and becomes owner of what it takes. */
  owner: string;
  /** Also take accepted commands of any replica not touched since this time (a replica that died). */
  staleBefore?: Date;
}

export interface MarkInterruptedQuery {
  /** Running runs owned by this replica (a restart of it). */
  owner?: string;
  /** Running runs of any replica not updated since this time (a replica that died). */
  staleBefore?: Date;
  reason: string;
  at: Date;
}

/**
 * The run store port: every run, its events in order, where it lives in Slack, alert de-duplication, and keys that
 * only one replica may claim. Engines: SQLite (one process) and PostgreSQL (several replicas). Every method that two
 * replicas could race on is atomic in the database.
 */
export interface RunStore extends AlertThreadStore {
  /** Applies pending schema migrations (idempotent); returns the schema version now in force. */
  migrate(): Promise<number>;
  schemaVersion(): Promise<number>;
  createRun(run: NewRun): Promise<StoredRun>;
  updateRun(id: string, patch: RunPatch): Promise<StoredRun | undefined>;
  /** Appends an event and bumps the run's `updatedAt`; returns its sequence number. */
  appendEvent(runId: string, event: RunJournalEvent): Promise<number>;
  getRun(id: string): Promise<StoredRun | undefined>;
  events(runId: string): Promise<StoredEvent[]>;
  listRuns(query?: ListRunsQuery): Promise<StoredRun[]>;
  /** The latest run whose root or thread is this message. */
  runByThread(channel: string, ts: string): Promise<StoredRun | undefined>;
  /**
   * Marks running runs interrupted (each exactly once, even when replicas race), appends an `interrupted` event to
   * each, and returns them.
   */
  markInterrupted(query: MarkInterruptedQuery): Promise<StoredRun[]>;
  /**
   * Deletes the runs started before `before` that are no longer running, with their events, and the slash commands
   * received before it (retention); returns how many runs went. A run still running is kept, however old.
   */
  deleteRunsBefore(before: Date): Promise<number>;
  /**
   * Claims a key (a Slack event id, a service+window being diagnosed) for `owner` for `ttlMs`, timed by the store's
   * clock. True for exactly one caller while the claim stands; an expired claim can be taken again.
   */
  claimKey(key: string, owner: string, ttlMs: number): Promise<boolean>;
  releaseKey(key: string): Promise<void>;
  /**
   * Appends messages to a run's durable outbox, in order, and returns their sequence numbers. A root edit replaces
   * the run's root edit still pending (only the latest state goes out). `open` says more will come (the diagnosis
   * runs), `close` that this was the last (the ledger): while the delivery is open or a message is pending, a run
   * marked finished or failed reads `delivering`.
   */
  enqueueOutbox(
    runId: string,
    messages: readonly NewOutboxMessage[],
    options?: { open?: boolean; close?: boolean },
  ): Promise<number[]>;
  /** Closes a run's delivery (nothing more will be queued); the run settles if nothing is pending. */
  closeOutbox(runId: string): Promise<StoredRun | undefined>;
  /** The run's outbox in order (every state). */
  outbox(runId: string): Promise<OutboxMessage[]>;
  /** Records that a send of this message starts (state `sending`); false if it is no longer pending or sending. */
  markSending(runId: string, seq: number): Promise<boolean>;
  /**
   * Records a message's result (never overwriting a sent one), bumps the run's `updatedAt`, counts a failure in
   * `undelivered`, and settles the run (delivering → finished/failed) when its outbox is complete and closed.
   */
  settleOutbox(runId: string, seq: number, result: OutboxResult): Promise<StoredRun | undefined>;
  /** Runs that are not running and whose thread is incomplete, owned by `owner` or stale; oldest first. */
  undeliveredRuns(query: DeliveryQuery): Promise<UndeliveredRun[]>;
  /**
   * Claims the delivery of a run for `owner` for `ttlMs` (renewable by the same owner); the run's owner becomes
   * `owner`. True for one replica at a time.
   */
  claimDelivery(runId: string, owner: string, ttlMs: number): Promise<boolean>;
  releaseDelivery(runId: string, owner: string): Promise<void>;
  /** Records a slash command as accepted (before Slack is answered), owned by `command.owner` and this process. */
  acceptCommand(command: NewCommand): Promise<StoredCommand>;
  /** Settles an accepted command (clearing its response URL); undefined when it is not accepted (any more). */
  settleCommand(id: string, status: Exclude<CommandStatus, 'accepted'>): Promise<StoredCommand | undefined>;
  getCommand(id: string): Promise<StoredCommand | undefined>;
  /**
   * Takes the accepted commands whose run never started (no run has their id): `owner`'s own ones left by an earlier
   * process, and, with `staleBefore`, any replica's not touched since then. Each goes to exactly one caller, even
   * when replicas race, and its owner becomes `owner`. Commands accepted through this store (this process) are never
   * taken: this process is still working on them. Oldest first.
   */
  claimCommands(query: ClaimCommandsQuery): Promise<StoredCommand[]>;
  close(): Promise<void>;
}
