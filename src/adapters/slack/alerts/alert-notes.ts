import type { WebClient } from '@slack/web-api';
import { type AlertLine, journalLine } from '../../../application/alerts/alert-lines.js';
import type { RunJournal } from '../../../application/diagnose/run-journal.js';
import type { AlertThread } from '../../../application/ports/alert-threads.js';
import { type AlertNote, MAX_NOTES_PER_MESSAGE } from '../blocks/render-alert.js';
import type { SlackMessage } from '../blocks/slack-message.js';
import type { ChannelPacer } from '../channel-pacer.js';
import { describeSlackError } from '../slack-thread-reporter.js';
import type { ThreadRunner } from '../thread-runner.js';

/** Per thread: notes gathered while its root is not posted yet or the channel is busy, posted as one reply. */
interface NoteBuffer {
  channel: string;
  threadTs: string | null;
  /** The run whose thread the notes go to: they are written to its durable outbox. */
  runId: string | null;
  notes: AlertNote[];
  scheduled: boolean;
}

export interface AlertNotesDeps {
  client: WebClient;
  runner: Pick<ThreadRunner, 'postInThread'>;
  pacer: ChannelPacer;
  render(notes: readonly AlertNote[]): SlackMessage;
  logger: { warn(obj: Record<string, unknown>, msg: string): void };
  journal?: Pick<RunJournal, 'note'>;
  /** The diagnosis run and reply thread of a thread this process started, once its root is posted. */
  postedRun(threadId: string): { runId: string; threadTs: string } | undefined;
  /** Counts in-flight work, so the intake knows when it is idle. */
  track(work: Promise<unknown>): void;
}

/**
 * The lines alerts add to their threads (repeats, grouped alerts, resolutions). Lines wait for the diagnosis root, so
 * the root comes first in the thread, and lines gathered meanwhile go out together in one reply.
 */
export class AlertNotes {
  private readonly buffers = new Map<string, NoteBuffer>();

  private readonly deps: AlertNotesDeps;

  constructor(deps: AlertNotesDeps) {
    this.deps = deps;
  }

  /** Adds a line to the thread; lines gathered before it is posted go out together. */
  add(thread: AlertThread, line: AlertLine): void {
    let buffer = this.buffers.get(thread.id);
    if (!buffer) {
      buffer = { channel: thread.channel, threadTs: null, runId: null, notes: [], scheduled: false };
      this.buffers.set(thread.id, buffer);
    }
    const posted = this.deps.postedRun(thread.id);
    // Notes wait for the diagnosis root (webhook threads have no ts before it), so the root comes first in the thread.
    if (buffer.threadTs === null) buffer.threadTs = posted?.threadTs ?? (thread.runId ? thread.threadTs : null);
    const runId = thread.runId ?? posted?.runId;
    if (buffer.threadTs !== null && buffer.runId === null && runId) buffer.runId = runId;
    buffer.notes.push(line);
    this.flushSoon(thread.id);
    if (runId) void this.deps.journal?.note(runId, journalLine(line));
  }

  /** The thread's diagnosis root is posted: the lines gathered so far follow it. */
  rootPosted(threadId: string, runId: string, threadTs: string): void {
    const buffer = this.buffers.get(threadId);
    if (!buffer) return;
    buffer.threadTs = threadTs;
    buffer.runId = runId;
    this.flushSoon(threadId);
  }

  /** The thread's diagnosis could not start: its lines are forgotten. */
  forget(threadId: string): void {
    this.buffers.delete(threadId);
  }

  private flushSoon(threadId: string): void {
    const buffer = this.buffers.get(threadId);
    if (!buffer || buffer.scheduled || buffer.threadTs === null || buffer.notes.length === 0) return;
    buffer.scheduled = true;
    const { channel } = buffer;
    if (buffer.runId !== null) {
      this.flushDurably(threadId, buffer, buffer.runId, buffer.threadTs);
      return;
    }
    // Notes of a thread no run belongs to: sent from memory.
    const post = this.deps.pacer
      .run(channel, () => {
        // Rendered when its turn comes, so notes added while it waited go out in the same reply.
        const notes = buffer.notes.splice(0, MAX_NOTES_PER_MESSAGE);
        buffer.scheduled = false;
        const message = this.deps.render(notes);
        return this.deps.client.chat.postMessage({
          channel,
          thread_ts: buffer.threadTs ?? '',
          text: message.text,
          blocks: message.blocks,
        });
      })
      .catch((err: unknown) => {
        buffer.scheduled = false;
        this.deps.logger.warn({ channel, error: describeSlackError(err) }, 'an alert note could not be posted');
      })
      .finally(() => {
        if (buffer.notes.length > 0) this.flushSoon(threadId);
        else if (!buffer.scheduled) this.buffers.delete(threadId);
      });
    this.deps.track(post);
  }

  /**
   * The notes of a run's thread go through the run's durable outbox, in order with the thread's other messages: a
   * process killed before Slack got them leaves them for the next start. Notes that come while a reply of notes is
   * still on its way wait for it (they are journalled on the run at once) and go out together in the next reply, so
   * a storm of repeats makes few replies.
   */
  private flushDurably(threadId: string, buffer: NoteBuffer, runId: string, threadTs: string): void {
    const { channel } = buffer;
    const notes = buffer.notes.splice(0, MAX_NOTES_PER_MESSAGE);
    const message = this.deps.render(notes);
    const post = this.deps.runner
      .postInThread(this.deps.client, { runId, channel, threadTs }, message, 'alert lines')
      .catch((err: unknown) => {
        this.deps.logger.warn({ channel, runId, error: describeSlackError(err) }, 'an alert note could not be posted');
      })
      .finally(() => {
        buffer.scheduled = false;
        if (buffer.notes.length > 0) this.flushSoon(threadId);
        else if (this.buffers.get(threadId) === buffer) this.buffers.delete(threadId);
      });
    this.deps.track(post);
  }
}
