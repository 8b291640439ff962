import type { RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { ServiceExplanation } from '../../../application/diagnose/explain-service.js';
import type { RunJournal } from '../../../application/diagnose/run-journal.js';
import type { ChartRenderer } from '../../../application/ports/chart-renderer.js';
import type { RunStore } from '../../../application/ports/run-store.js';
import { exportPostmortem } from '../../../application/runs/export-postmortem.js';
import { TwinClaims } from '../../../application/runs/twins.js';
import { SymptomError } from '../../../domain/errors.js';
import type { Redactor } from '../../../domain/redaction/redact.js';
import { parseSymptom } from '../../../domain/symptom/parse-symptom.js';
import type { ParsedSymptom } from '../../../domain/symptom/symptom.js';
import type { SlackMessage } from '../blocks/slack-message.js';
import type { ChannelPacer } from '../channel-pacer.js';
import type { RunRecord, RunRegistry } from '../run-registry.js';
import { SlackChat } from '../slack-chat.js';
import type { ReporterLogger, ThreadRenderers } from '../slack-thread-reporter.js';
import { recordFromStored } from '../stored-record.js';
import type { ThreadRunner } from '../thread-runner.js';

export interface SlackSurfaceDeps {
  /** Draws the evidence charts of a post-mortem export (uploaded beside it, inline in its HTML). */
  charts?: ChartRenderer;
  runner: ThreadRunner;
  registry: RunRegistry;
  pacer: ChannelPacer;
  render: ThreadRenderers & { help(): SlackMessage };
  logger: ReporterLogger & { info(obj: Record<string, unknown>, msg: string): void };
  now: () => Date;
  timeZone?: string;
  /** Seen Events API event ids, so a redelivered event starts nothing new. */
  maxRememberedEvents?: number;
  /** The run store: runs of other replicas and from before a restart, exports, and claims replicas share. */
  store: RunStore;
  journal: RunJournal;
  redactor: Redactor;
  /** How long a claim on a service+window twin holds at most (the diagnosis deadline plus slack). */
  twinClaimMs: number;
  /** What Triage can read for a service (`/diagnose explain <service>`). */
  explain?: (service: string) => Promise<ServiceExplanation>;
}

/** What every listener shares: the twin claims, symptom parsing, re-runs, run lookups and exports. */
export interface Surface {
  deps: SlackSurfaceDeps;
  twins: TwinClaims;
  parse(text: string, now?: Date): ParsedSymptom;
  /** Parses the symptom, or tells the user what could not be understood and returns undefined. */
  parseOrExplain(
    text: string,
    explain: (message: string) => Promise<unknown>,
    now?: Date,
  ): Promise<ParsedSymptom | undefined>;
  /** Runs a run's diagnosis again in its thread. */
  rerun(client: WebClient, record: RunRecord, userId: string): Promise<void>;
  /** The run a button belongs to: this replica's, or from the store (another replica's, or before a restart). */
  lookup(runId: string, respond: RespondFn): Promise<RunRecord | undefined>;
  /** Uploads a run's post-mortem in its thread; tells the user when it could not. */
  exportTo(client: WebClient, runId: string, channel: string, respond: RespondFn): Promise<void>;
}

export function createSurface(deps: SlackSurfaceDeps): Surface {
  const { store, journal } = deps;
  const twins = new TwinClaims({
    store,
    replica: journal.replica,
    claimMs: deps.twinClaimMs,
    running: (key) => deps.registry.running(key),
    logger: deps.logger,
  });
  const parse = (text: string, now: Date = deps.now()): ParsedSymptom =>
    parseSymptom(text, { now, ...(deps.timeZone ? { timeZone: deps.timeZone } : {}) });

  return {
    deps,
    twins,
    parse,
    async parseOrExplain(text, explain, now) {
      try {
        return parse(text, now);
      } catch (err) {
        if (!(err instanceof SymptomError)) throw err;
        await explain(err.message);
        return undefined;
      }
    },
    async rerun(client, record, userId) {
      let symptom: ParsedSymptom;
      if (record.alert) {
        // An alert's window starts at its onset: keep the start, look up to now.
        symptom = { ...record.symptom, window: { start: record.symptom.window.start, end: deps.now() } };
      } else {
        try {
          symptom = parse(record.text);
        } catch {
          symptom = record.symptom;
        }
      }
      await deps.runner.start({
        client,
        channel: record.channel,
        userId,
        text: record.text,
        symptom,
        inThread: record.threadTs,
        trigger: 'button',
        ...(record.alert ? { alert: { ...record.alert, repeats: 0, grouped: [] } } : {}),
      });
    },
    async lookup(runId, respond) {
      let record = deps.registry.get(runId);
      if (!record) {
        try {
          const stored = await store.getRun(runId);
          record = stored ? recordFromStored(stored, await store.events(runId)) : undefined;
        } catch (err) {
          deps.logger.warn({ runId, error: err instanceof Error ? err.message : String(err) }, 'run lookup failed');
        }
        if (record) deps.registry.add(record);
      }
      if (!record) {
        await respond({
          response_type: 'ephemeral',
          replace_original: false,
          text: 'I have no record of this run. Start a new one with /diagnose.',
        });
      }
      return record;
    },
    async exportTo(client, runId, channel, respond) {
      const outcome = await exportPostmortem(
        new SlackChat(client),
        {
          store,
          redactor: deps.redactor,
          now: deps.now,
          logger: deps.logger,
          ...(deps.charts
            ? {
                charts: deps.charts,
                uploadImage: (f) => {
                  const image = { filename: f.filename, title: f.title, alt_text: f.title, file: Buffer.from(f.bytes) };
                  return (
                    f.threadTs
                      ? client.filesUploadV2({ ...image, channel_id: f.channel, thread_ts: f.threadTs })
                      : client.filesUploadV2({ ...image, channel_id: f.channel })
                  ).then(() => ({}));
                },
              }
            : {}),
        },
        { runId, channel },
      );
      if (!outcome.ok) {
        await respond({ response_type: 'ephemeral', replace_original: false, text: outcome.message });
        return;
      }
      deps.logger.info({ runId, bytes: outcome.bytes }, 'post-mortem exported');
    },
  };
}
