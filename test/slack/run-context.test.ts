/**
 * A run's code carries its id through every await, so a process-level handler can mark that run failed when an
 * error escapes it (src/app/process-guards.ts reads it).
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/adapters/log/json-logger.js';
import { currentRunId, withRun } from '../../src/adapters/log/run-context.js';
import { ChannelPacer } from '../../src/adapters/slack/channel-pacer.js';
import { RunRegistry } from '../../src/adapters/slack/run-registry.js';
import { threadRenderers } from '../../src/adapters/slack/thread-renderers.js';
import { ThreadRunner } from '../../src/adapters/slack/thread-runner.js';
import type { DiagnoseRequest } from '../../src/application/diagnose/diagnose.js';
import type { DiagnosisOutcome, RunEvent } from '../../src/domain/engine/types.js';
import { parseSymptom } from '../../src/domain/symptom/parse-symptom.js';
import { outcome } from '../support/diagnosis-factory.js';
import { FAKE_SLACK_DEFAULTS } from '../support/fake-slack/fake-slack-server.js';
import { useOutboxFixture } from './outbox-fixture.js';

const fx = useOutboxFixture('run-context');
const T0 = new Date('2026-11-01T14:00:00Z');

describe('ThreadRunner', () => {
  it('runs each diagnosis in the async context of its own run id', async () => {
    const seen: { request: string; context: string | undefined }[] = [];
    async function* diagnosis(request: DiagnoseRequest): AsyncGenerator<RunEvent, DiagnosisOutcome> {
      await new Promise((r) => setTimeout(r, 5));
      seen.push({ request: request.runId, context: currentRunId() });
      const result = outcome({ runId: request.runId });
      yield { type: 'run-finished', runId: request.runId, result, at: T0 };
      return result;
    }
    const runner = new ThreadRunner({
      run: diagnosis,
      registry: new RunRegistry(),
      pacer: new ChannelPacer(0, { sleep: async () => undefined }),
      render: threadRenderers,
      logger: silentLogger,
      runScope: withRun,
    });
    const start = (text: string) =>
      runner.start({
        client: fx.client,
        channel: FAKE_SLACK_DEFAULTS.channelId,
        userId: 'U0ONCALL01',
        text,
        symptom: parseSymptom(text, { now: T0 }),
      });
    await Promise.all([start('502 on checkout'), start('slow search')]);
    expect(seen).toHaveLength(2);
    for (const s of seen) expect(s.context).toBe(s.request);
    expect(new Set(seen.map((s) => s.request)).size).toBe(2);
    expect(currentRunId()).toBeUndefined();
  });
});
