import type { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BUNDLED_PLAYBOOKS } from '../adapters/playbook-files/bundled.js';
import { renderLedger, renderStep } from '../domain/report/render-text.js';
import type { CliIo } from './cli-io.js';
import { readRecording, replayRecording } from './replay-recording.js';

/**
 * `npm run demo`: replays a bundled incident through the real engine, offline, and prints the thread Triage would
 * post in Slack: the root message, one reply per finished step, then the ledger and the updated root message.
 */
export async function runDemo(name: string, recordingsDir: string, io: CliIo, read: typeof readFile): Promise<number> {
  const file = join(recordingsDir, name.endsWith('.json') ? name : `${name}.json`);
  let recording: Awaited<ReturnType<typeof readRecording>>;
  try {
    recording = await readRecording(file, read);
  } catch {
    io.stderr(`triage: no recording named "${name}" in ${recordingsDir}. \`triage demo --list\` shows them.\n`);
    return 2;
  }
  io.stdout(
    `Replaying the recorded incident "${recording.name}" (${recording.at}) through the real engine: offline, no credentials.\n\n`,
  );
  const unmeasured: string[] = [];
  io.stdout(`#incidents  you: /diagnose ${recording.symptom}\n`);
  io.stdout(`#incidents  Triage: 🔎 Diagnosing "${recording.symptom}"…\n`);
  const result = await replayRecording(recording, BUNDLED_PLAYBOOKS, (event) => {
    if (event.type === 'run-started') {
      io.stdout(`   └ thread: playbook ${event.playbook}, ${event.steps.length} steps, service ${event.service}\n`);
    }
    if (event.type !== 'step-finished') return;
    if (event.step.status === 'no_data') unmeasured.push(event.step.title.toLowerCase());
    else if (event.step.status !== 'skipped') io.stdout(`   └ ${renderStep(event.step).join('\n     ')}\n`);
  });
  if (unmeasured.length)
    io.stdout(`   └ Not measured (the service exposes no metrics for them): ${unmeasured.join(', ')}\n`);
  io.stdout('   └ Hypotheses\n');
  for (const line of renderLedger(result.hypotheses.slice(0, 5))) io.stdout(`       ${line}\n`);
  io.stdout(`\n#incidents  Triage (root message, edited): ${result.conclusion.summary}\n`);
  for (const n of result.conclusion.nextSteps) io.stdout(`     • ${n}\n`);
  io.stdout(`     [Re-run] [Confirm] [Reject] [Export post-mortem]\n`);
  return 0;
}
