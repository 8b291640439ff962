import type { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BUNDLED_PLAYBOOKS } from '../adapters/playbook-files/bundled.js';
import { redact, redactDeep } from '../domain/redaction/redact.js';
import {
  renderFindingGroupText,
  renderLedger,
  renderNormalFoldText,
  renderNotMeasuredText,
} from '../domain/report/render-text.js';
import { planThread } from '../domain/report/thread-plan.js';
import { TEXT_WIDTH, wrapText } from '../domain/report/wrap.js';
import type { CliIo } from './cli-io.js';
import { readRecording, replayRecording } from './replay-recording.js';

/**
 * `npm run demo`: replays a bundled incident through the real engine, offline, and prints the thread Triage would
 * post in Slack: the root message, the abnormal findings grouped by hypothesis, the normal checks and what was not
 * measured folded into one reply each, then the ledger and the updated root message.
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
  io.stdout(`#incidents  you: /diagnose ${recording.symptom}\n`);
  io.stdout(`#incidents  Triage: 🔎 Diagnosing "${recording.symptom}"…\n`);
  const result = await replayRecording(recording, BUNDLED_PLAYBOOKS, (event) => {
    if (event.type === 'run-started') {
      io.stdout(`   └ thread: playbook ${event.playbook}, ${event.steps.length} steps, service ${event.service}\n`);
    }
  });
  // The thread as planned: abnormal findings grouped by hypothesis, the normal checks and the unmeasured folded.
  for (const message of planThread(redactDeep(result, redact)).messages) {
    const lines =
      message.kind === 'finding-group'
        ? renderFindingGroupText(message)
        : message.kind === 'normal-fold'
          ? [renderNormalFoldText(message)]
          : message.kind === 'not-measured'
            ? [renderNotMeasuredText(message)]
            : [];
    if (lines.length)
      io.stdout(
        `   └ ${wrapText(lines.join('\n'), TEXT_WIDTH - 5)
          .split('\n')
          .join('\n     ')}\n`,
      );
  }
  io.stdout('   └ Hypotheses\n');
  const ledger = wrapText(renderLedger(result.hypotheses.slice(0, 5)).join('\n'), TEXT_WIDTH - 7);
  for (const line of ledger.split('\n')) io.stdout(`       ${line}\n`);
  io.stdout(`\n#incidents  Triage (root message, edited): ${result.conclusion.summary}\n`);
  for (const n of result.conclusion.nextSteps) io.stdout(`     • ${n}\n`);
  io.stdout(`     [Re-run] [Confirm] [Reject] [Export post-mortem]\n`);
  return 0;
}
