import type { WebClient } from '@slack/web-api';
import type { RunEvent, StepResult } from '../../domain/engine/types.js';
import type { DiagnosisOutcome } from '../../domain/runs/diagnose.js';
import type { SlackMessage } from './blocks/limits.js';
import type { ChannelPacer } from './channel-pacer.js';
import { type MethodBudget, UNLIMITED } from './method-budget.js';
import type { RunRecord } from './run-registry.js';

export type { SlackMessage };

/** The renderers a reporter needs, injected so the reporter can be tested without Block Kit details. */
export interface ThreadRenderers {
  root(record: RunRecord): SlackMessage;
  step(step: StepResult): SlackMessage;
  ledger(result: DiagnosisOutcome, record: RunRecord): SlackMessage;
}

export interface ReporterLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
}

/** Steps that say nothing new in a thread of their own: listed once in the ledger instead. */
function isQuiet(step: StepResult): boolean {
  return step.status === 'skipped' || step.status === 'no_data';
}

/**
 * Turns one run's event stream into its Slack thread: a reply per finished step (paced per channel, in order),
 * the root message edited in place as hypotheses change (at most every `rootEditMs`), and the ledger at the end.
 * A post that fails after the Web API client's own retries is counted as undelivered and the thread goes on.
 */
export class SlackRunReporter {
  private readonly client: WebClient;
  private readonly pacer: ChannelPacer;
  private readonly render: ThreadRenderers;
  private readonly record: RunRecord;
  private readonly logger: ReporterLogger;
  private readonly rootEditMs: number;
  private readonly compact: boolean;
  private readonly onFinished: (() => void) | undefined;
  private readonly updates: Pick<MethodBudget, 'take'>;
  private readonly onUndelivered: ((what: string, error: string) => void) | undefined;
  private lastRootEdit = 0;
  private rootDirty = false;
  private rootChain: Promise<void> = Promise.resolve();

  constructor(deps: {
    client: WebClient;
    pacer: ChannelPacer;
    render: ThreadRenderers;
    record: RunRecord;
    logger: ReporterLogger;
    rootEditMs?: number;
    /** Only the root (edited in place) and the ledger: no reply per step. */
    compact?: boolean;
    /** Called when the diagnosis itself is over, before its last posts are delivered. */
    onFinished?: () => void;
    /** The workspace's chat.update budget. */
    updates?: Pick<MethodBudget, 'take'>;
    /** Told about every post Slack never got (after the client's retries), so it can be recorded. */
    onUndelivered?: (what: string, error: string) => void;
  }) {
    this.client = deps.client;
    this.pacer = deps.pacer;
    this.render = deps.render;
    this.record = deps.record;
    this.logger = deps.logger;
    this.rootEditMs = deps.rootEditMs ?? 2000;
    this.compact = deps.compact ?? false;
    this.onFinished = deps.onFinished;
    this.updates = deps.updates ?? UNLIMITED;
    this.onUndelivered = deps.onUndelivered;
  }

  /** Consumes the run to its end and returns its result. */
  async consume(run: AsyncGenerator<RunEvent, DiagnosisOutcome>): Promise<DiagnosisOutcome> {
    const replies: Promise<unknown>[] = [];
    while (true) {
      const next = await run.next();
      if (next.done) {
        await Promise.all(replies);
        return next.value;
      }
      const event = next.value;
      switch (event.type) {
        case 'run-started':
          this.record.stepsTotal = event.steps.length;
          this.record.playbook = event.playbook;
          break;
        case 'step-finished':
          this.record.stepsDone++;
          if (!this.compact && !isQuiet(event.step))
            replies.push(this.reply(this.render.step(event.step), `step ${event.step.id}`));
          this.editRoot(false);
          break;
        case 'hypotheses-updated': {
          const top = event.hypotheses[0];
          if (top) this.record.top = top;
          this.editRoot(false);
          break;
        }
        case 'run-finished':
          this.onFinished?.();
          this.record.result = event.result;
          if (event.result.service) this.record.service = event.result.service;
          this.record.status = event.result.conclusion.kind === 'failed' ? 'failed' : 'finished';
          replies.push(this.reply(this.render.ledger(event.result, this.record), 'ledger'));
          // The root shows the conclusion at once; the thread's replies follow at the channel's pace.
          this.editRoot(true);
          await Promise.all(replies);
          await this.rootChain;
          break;
        default:
          break;
      }
    }
  }

  /** Re-renders the root message now (after a human decision, say). */
  refreshRoot(): Promise<void> {
    this.editRoot(true);
    return this.rootChain;
  }

  private reply(message: SlackMessage, what: string): Promise<unknown> {
    const { channel, threadTs } = this.record;
    return this.pacer
      .run(channel, () =>
        this.client.chat.postMessage({ channel, thread_ts: threadTs, text: message.text, blocks: message.blocks }),
      )
      .catch((err: unknown) => {
        this.record.undelivered++;
        const error = describeSlackError(err);
        this.logger.warn({ runId: this.record.runId, what, error }, 'a thread reply could not be delivered');
        this.onUndelivered?.(what, error);
      });
  }

  private editRoot(force: boolean): void {
    const now = Date.now();
    // Compact threads (alert storms) edit the root once, at the end: chat.update is rate limited too.
    if (!force && (this.compact || now - this.lastRootEdit < this.rootEditMs)) {
      this.rootDirty = true;
      return;
    }
    this.lastRootEdit = now;
    this.rootDirty = false;
    const { channel, rootTs } = this.record;
    this.rootChain = this.rootChain
      .then(async () => {
        await this.updates.take();
        // Rendered when sent, so an edit that waited for the budget shows the latest state.
        const message = this.render.root(this.record);
        return this.client.chat.update({ channel, ts: rootTs, text: message.text, blocks: message.blocks });
      })
      .then(
        () => undefined,
        (err: unknown) => {
          this.logger.warn(
            { runId: this.record.runId, error: describeSlackError(err) },
            'the root message could not be updated',
          );
        },
      );
  }

  /** True when an edit was skipped by the throttle and is still owed. */
  get pendingRootEdit(): boolean {
    return this.rootDirty;
  }
}

/** An error as safe, short text for logs: the Slack error code or message, never a token. */
export function describeSlackError(err: unknown): string {
  if (err && typeof err === 'object') {
    const data = (err as { data?: { error?: unknown } }).data;
    if (data && typeof data.error === 'string') return data.error;
    const code = (err as { code?: unknown }).code;
    const message = (err as { message?: unknown }).message;
    return [code, message]
      .filter((x) => typeof x === 'string')
      .join(': ')
      .replace(/xox[a-z]-[\w-]+/g, 'xox…');
  }
  return String(err);
}
