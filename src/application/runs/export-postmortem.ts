import type { Redactor } from '../../domain/redaction/redact.js';
import type { ChartRenderer } from '../ports/chart-renderer.js';
import type { RunStore, StoredEvent, StoredRun } from '../ports/run-store.js';
import { postmortemDocuments } from '../postmortem/documents.js';
import type { ThreadMessage } from '../postmortem/postmortem.js';
import type { ChatPort } from './chat-port.js';

/** A binary file to share in a thread (a chart PNG). */
export interface ChatImageFile {
  channel: string;
  threadTs?: string;
  filename: string;
  title: string;
  bytes: Uint8Array;
}

export interface ExportDeps {
  store: Pick<RunStore, 'getRun' | 'events'>;
  redactor: Redactor;
  now: () => Date;
  logger: { warn(obj: Record<string, unknown>, msg: string): void };
  /** Draws the evidence charts; without it the documents carry none, and say nothing of them. */
  charts?: ChartRenderer;
  /** Shares a binary file in the thread; without it the chart PNGs are not uploaded (the HTML still has them inline). */
  uploadImage?: (file: ChatImageFile) => Promise<{ fileId?: string }>;
}

export type ExportOutcome =
  | {
      ok: true;
      filename: string;
      fileId?: string;
      bytes: number;
      discussion: boolean;
      /** Every file shared: the Markdown, the HTML, then the chart PNGs. */
      files: string[];
    }
  | { ok: false; message: string };

/** Most people one export looks up by id. */
const MAX_PEOPLE = 20;

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Display names of the people the post-mortem names (who started the run, who decided, who wrote in the thread):
 * from the thread's messages, else looked up. Someone who cannot be looked up stays a mention.
 */
async function peopleOf(
  chat: Pick<ChatPort, 'displayName'>,
  run: StoredRun,
  events: readonly StoredEvent[],
  messages: readonly ThreadMessage[],
): Promise<Map<string, string>> {
  const people = new Map<string, string>();
  for (const m of messages) if (m.userId && m.userName) people.set(m.userId, m.userName);
  const named = [
    run.userId,
    ...events.map(({ data }) => (data.type === 'human-decision' ? data.userId : null)),
    ...messages.map((m) => m.userId),
  ];
  const wanted = [...new Set(named)]
    .filter((id): id is string => typeof id === 'string' && /^[UW][A-Z0-9]+$/.test(id) && !people.has(id))
    .slice(0, MAX_PEOPLE);
  await Promise.all(
    wanted.map(async (id) => {
      const name = await chat.displayName(id).catch(() => undefined);
      if (name) people.set(id, name);
    }),
  );
  return people;
}

/**
 * Builds a run's post-mortem from the run store and the thread's messages and shares it in the thread: the Markdown,
 * one self-contained HTML file, and the chart PNGs the Markdown names. When the thread cannot be read the documents
 * are still exported, without the discussion; a chart that cannot be drawn or uploaded is left out.
 */
export async function exportPostmortem(
  chat: ChatPort,
  deps: ExportDeps,
  request: { runId: string; channel: string; threadTs?: string },
): Promise<ExportOutcome> {
  const run = await deps.store.getRun(request.runId);
  if (!run) return { ok: false, message: 'I have no record of this run, so there is nothing to export.' };
  const channel = run.channel ?? request.channel;
  const threadTs = run.threadTs ?? run.rootTs ?? request.threadTs;
  let messages: ThreadMessage[] = [];
  let discussion = false;
  if (run.channel && threadTs) {
    try {
      messages = await chat.threadMessages(run.channel, threadTs);
      discussion = true;
    } catch (err) {
      deps.logger.warn({ runId: run.id, error: errorText(err) }, 'the thread could not be read; exporting without it');
    }
  }
  const events = await deps.store.events(run.id);
  const docs = await postmortemDocuments(
    {
      run,
      events,
      messages,
      people: await peopleOf(chat, run, events, messages),
      now: deps.now(),
      redactor: deps.redactor,
      ...(run.channel && run.rootTs ? { threadLink: chat.link(run.channel, run.rootTs) } : {}),
    },
    deps.charts,
    { referenceCharts: deps.uploadImage !== undefined },
  );
  for (const error of docs.chartErrors) deps.logger.warn({ runId: run.id, error }, 'a chart could not be drawn');
  const filename = `${docs.basename}.md`;
  const where = { channel, ...(threadTs ? { threadTs } : {}) };
  const title = `Post-mortem: ${deps.redactor(run.text).slice(0, 200)}`;
  try {
    const { fileId } = await chat.upload({
      ...where,
      filename,
      title,
      content: docs.markdown,
      comment: discussion
        ? 'Post-mortem draft from this diagnosis and thread.'
        : 'Post-mortem draft from this diagnosis (the thread could not be read, so the discussion is missing).',
    });
    const files = [filename];
    const htmlName = `${docs.basename}.html`;
    await chat
      .upload({ ...where, filename: htmlName, title: `${title} (HTML)`, content: docs.html, comment: '' })
      .then(() => files.push(htmlName))
      .catch((err: unknown) =>
        deps.logger.warn({ runId: run.id, error: errorText(err) }, 'the HTML post-mortem could not be uploaded'),
      );
    const uploadImage = deps.uploadImage;
    if (uploadImage) {
      for (const chart of docs.charts) {
        await uploadImage({ ...where, filename: chart.filename, title: chart.alt.slice(0, 200), bytes: chart.png })
          .then(() => files.push(chart.filename))
          .catch((err: unknown) =>
            deps.logger.warn({ runId: run.id, error: errorText(err) }, 'a chart could not be uploaded'),
          );
      }
    }
    return {
      ok: true,
      filename,
      ...(fileId ? { fileId } : {}),
      bytes: new TextEncoder().encode(docs.markdown).length,
      discussion,
      files,
    };
  } catch (err) {
    const error = errorText(err);
    deps.logger.warn({ runId: run.id, error }, 'the post-mortem could not be uploaded');
    return {
      ok: false,
      message: `I could not upload the post-mortem (${error}). \`triage postmortem ${run.id}\` prints it.`,
    };
  }
}
