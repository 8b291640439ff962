import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadPlaybooks } from '../adapters/playbook-files/load-playbooks.js';
import { type Recording, RecordingSchema } from '../adapters/replay/recording.js';
import { ReplayMetricsSource } from '../adapters/replay/replay-metrics-source.js';
import { createDiagnoser, runToEnd } from '../app/create-diagnoser.js';
import type { DiagnosisOutcome, RunEvent } from '../domain/engine/types.js';
import { parseSymptom } from '../domain/symptom/parse-symptom.js';

export async function readRecording(file: string, read = readFile): Promise<Recording> {
  const text = await read(file, 'utf8');
  return RecordingSchema.parse(JSON.parse(text));
}

export async function listRecordings(dir: string): Promise<string[]> {
  return (await readdir(dir))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(dir, f));
}

/** Runs the real engine on a recorded incident, at the recorded time, with answers from the recording. */
export async function replayRecording(
  recording: Recording,
  playbooksDir: string,
  onEvent: (e: RunEvent) => void = () => {},
): Promise<DiagnosisOutcome> {
  const at = new Date(recording.at);
  const playbooks = await loadPlaybooks(playbooksDir);
  const diagnoser = await createDiagnoser(
    { prometheus: { url: recording.prometheusUrl, timeoutMs: 5000 }, playbooksDir, deadlineMs: 60_000 },
    { metrics: new ReplayMetricsSource(recording), clock: { now: () => at }, playbooks },
  );
  const symptom = parseSymptom(recording.symptom, {
    now: at,
    ...(recording.service ? { service: recording.service } : {}),
  });
  return runToEnd(diagnoser.run({ runId: `replay-${recording.name}`, symptom }), onEvent);
}

/** The top cause a result names, or `none` when no hypothesis reached 0.5. */
export function topCauseOf(result: DiagnosisOutcome): string {
  const top = result.hypotheses[0];
  return top && top.confidence >= 0.5 ? top.cause : 'none';
}
