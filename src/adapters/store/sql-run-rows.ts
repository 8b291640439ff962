import type { StoredRun } from '../../application/ports/run-store.js';
import { decodeJson, encodeJson } from './json-codec.js';
import { date, iso, optionalDate, type Row, text } from './sql-db.js';

/** The columns of a run, in the order {@link runToRow} gives their values. */
export const RUN_COLUMNS = [
  'id',
  'run_trigger',
  'symptom_text',
  'symptom',
  'service',
  'playbook',
  'status',
  'channel',
  'root_ts',
  'thread_ts',
  'user_id',
  'alert',
  'owner',
  'started_at',
  'updated_at',
  'finished_at',
  'result',
  'decision',
  'undelivered',
] as const;

const json = <T>(v: unknown): T | null => (v === null || v === undefined ? null : decodeJson<T>(String(v)));

export function runToRow(run: StoredRun): unknown[] {
  return [
    run.id,
    run.trigger,
    run.text,
    encodeJson(run.symptom),
    run.service,
    run.playbook,
    run.status,
    run.channel,
    run.rootTs,
    run.threadTs,
    run.userId,
    run.alert ? encodeJson(run.alert) : null,
    run.owner,
    iso(run.startedAt),
    iso(run.updatedAt),
    run.finishedAt ? iso(run.finishedAt) : null,
    run.result ? encodeJson(run.result) : null,
    run.decision ? encodeJson(run.decision) : null,
    run.undelivered,
  ];
}

export function rowToRun(row: Row): StoredRun {
  return {
    id: String(row.id),
    trigger: String(row.run_trigger) as StoredRun['trigger'],
    text: String(row.symptom_text),
    symptom: decodeJson<StoredRun['symptom']>(String(row.symptom)),
    service: text(row.service),
    playbook: text(row.playbook),
    status: String(row.status) as StoredRun['status'],
    channel: text(row.channel),
    rootTs: text(row.root_ts),
    threadTs: text(row.thread_ts),
    userId: text(row.user_id),
    alert: json<StoredRun['alert']>(row.alert),
    owner: String(row.owner),
    startedAt: date(row.started_at),
    updatedAt: date(row.updated_at),
    finishedAt: optionalDate(row.finished_at),
    result: json<StoredRun['result']>(row.result),
    decision: json<StoredRun['decision']>(row.decision),
    undelivered: Number(row.undelivered),
  };
}
