import type { WebClient } from '@slack/web-api';
import type { AlertNotification } from '../../../domain/alerts/alert.js';
import type { StormState } from '../blocks/render-alert.js';
import type { SlackMessage } from '../blocks/slack-message.js';
import type { ChannelPacer } from '../channel-pacer.js';
import { type MethodBudget, UNLIMITED } from '../method-budget.js';
import { describeSlackError } from '../slack-thread-reporter.js';

interface Storm {
  since: Date;
  lastDropAt: number;
  notDiagnosed: number;
  titles: Map<string, number>;
  ts?: string;
  posting?: Promise<void> | undefined;
  lastEdit: number;
  editTimer?: ReturnType<typeof setTimeout> | undefined;
}

/** What the storm summary says besides the alerts not diagnosed. */
export type StormCounts = Pick<StormState, 'diagnosing' | 'grouped' | 'repeats'>;

export interface StormSummaryDeps {
  client: WebClient;
  pacer: ChannelPacer;
  render(state: StormState): SlackMessage;
  logger: { warn(obj: Record<string, unknown>, msg: string): void };
  /** A storm ends when no alert was dropped in the channel for this long. */
  groupWindowMs: number;
  queueMax: number;
  /** Minimum spacing of summary edits (default 3 s; chat.update is rate limited too). */
  summaryEditMs?: number;
  /** The workspace's chat.update budget. */
  updates?: Pick<MethodBudget, 'take'>;
  counts(): StormCounts;
  /** Counts in-flight work, so the intake knows when it is idle. */
  track(work: Promise<unknown>): void;
}

/**
 * Per channel, the one message that counts the alerts not diagnosed because the queue was full: posted at the first
 * such alert, then kept up to date with throttled edits. Nothing is dropped silently.
 */
export class StormSummaries {
  private readonly storms = new Map<string, Storm>();
  private readonly rendered = new WeakMap<Storm, number>();

  private readonly deps: StormSummaryDeps;

  constructor(deps: StormSummaryDeps) {
    this.deps = deps;
  }

  /** Counts an alert that was not diagnosed, and shows it in the channel's summary. */
  drop(channel: string, n: AlertNotification, now: Date): void {
    let storm = this.storms.get(channel);
    if (!storm || now.getTime() - storm.lastDropAt > this.deps.groupWindowMs) {
      if (storm?.editTimer) clearTimeout(storm.editTimer);
      storm = { since: now, lastDropAt: now.getTime(), notDiagnosed: 0, titles: new Map(), lastEdit: 0 };
      this.storms.set(channel, storm);
    }
    storm.lastDropAt = now.getTime();
    storm.notDiagnosed++;
    const name = n.alerts.find((a) => a.status === 'firing')?.alertname ?? n.title;
    if (storm.titles.size < 500 || storm.titles.has(name)) storm.titles.set(name, (storm.titles.get(name) ?? 0) + 1);
    this.deps.logger.warn({ channel, alert: n.title.slice(0, 200) }, 'alert not diagnosed: the queue is full');
    this.publish(channel, storm);
  }

  private state(storm: Storm): StormState {
    return {
      notDiagnosed: storm.notDiagnosed,
      titles: storm.titles,
      since: storm.since,
      queueMax: this.deps.queueMax,
      ...this.deps.counts(),
    };
  }

  /** Posts the storm summary once, then keeps it up to date with throttled edits. */
  private publish(channel: string, storm: Storm): void {
    if (storm.ts === undefined) {
      if (storm.posting) return;
      storm.posting = this.deps.pacer
        .run(
          channel,
          () => {
            const message = this.deps.render(this.state(storm));
            return this.deps.client.chat.postMessage({ channel, text: message.text, blocks: message.blocks });
          },
          { urgent: true },
        )
        .then((posted) => {
          storm.ts = String(posted.ts);
          storm.lastEdit = Date.now();
          this.scheduleEdit(channel, storm);
        })
        .catch((err: unknown) => {
          this.deps.logger.warn({ channel, error: describeSlackError(err) }, 'the storm summary could not be posted');
        })
        .finally(() => {
          storm.posting = undefined;
        });
      this.deps.track(storm.posting);
      return;
    }
    this.scheduleEdit(channel, storm);
  }

  private scheduleEdit(channel: string, storm: Storm): void {
    if (storm.editTimer || storm.ts === undefined) return;
    if (this.rendered.get(storm) === storm.notDiagnosed) return;
    const wait = Math.max(0, storm.lastEdit + (this.deps.summaryEditMs ?? 3000) - Date.now());
    let release: () => void = () => {};
    this.deps.track(
      new Promise<void>((resolve) => {
        release = resolve;
      }),
    );
    storm.editTimer = setTimeout(async () => {
      await (this.deps.updates ?? UNLIMITED).take();
      storm.editTimer = undefined;
      storm.lastEdit = Date.now();
      const shown = storm.notDiagnosed;
      const message = this.deps.render(this.state(storm));
      this.deps.client.chat
        .update({ channel, ts: storm.ts ?? '', text: message.text, blocks: message.blocks })
        .then(() => this.rendered.set(storm, shown))
        .catch((err: unknown) =>
          this.deps.logger.warn({ channel, error: describeSlackError(err) }, 'the storm summary could not be updated'),
        )
        .finally(() => {
          release();
          this.scheduleEdit(channel, storm);
        });
    }, wait);
  }
}
