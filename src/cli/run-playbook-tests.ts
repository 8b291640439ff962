import type { CliIo } from './cli-io.js';
import { listRecordings, readRecording, replayRecording, topCauseOf } from './replay-recording.js';

/** `triage playbooks test`: replays every recording and checks its expected top cause; returns the exit code. */
export async function runPlaybookTests(playbooksDir: string, recordingsDir: string, io: CliIo): Promise<number> {
  let files: string[];
  try {
    files = await listRecordings(recordingsDir);
  } catch {
    io.stderr(`triage: no recordings directory at ${recordingsDir}\n`);
    return 2;
  }
  if (files.length === 0) {
    io.stderr(`triage: no *.json recordings in ${recordingsDir}\n`);
    return 2;
  }
  let failed = 0;
  for (const file of files) {
    const recording = await readRecording(file);
    const result = await replayRecording(recording, playbooksDir);
    const top = result.hypotheses[0];
    const got = topCauseOf(result);
    const confidence = top ? top.confidence : 0;
    const minOk = recording.expect.minConfidence === undefined || confidence >= recording.expect.minConfidence;
    const ok = got === recording.expect.topCause && minOk;
    if (!ok) failed++;
    io.stdout(
      `${ok ? 'PASS' : 'FAIL'}  ${recording.name.padEnd(28)} expected ${recording.expect.topCause.padEnd(26)} got ${got} (${Math.round(confidence * 100)}%) via ${result.playbook}\n`,
    );
  }
  io.stdout(`${files.length - failed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}
