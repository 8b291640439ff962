import type { App } from '@slack/bolt';
import { recordDecision } from '../../../application/runs/record-decision.js';
import { decided } from '../../../application/runs/run-state.js';
import { guardEphemeral } from '../ephemeral.js';
import { ACTIONS } from '../ids.js';
import type { Surface } from './surface.js';

/** The run id a button carries. */
function runIdOf(action: unknown): string {
  return String((action as { value?: unknown }).value ?? '');
}

/** Re-run, Confirm / Reject and Export post-mortem on a run's root message. */
export function registerButtons(app: App, surface: Surface): void {
  const { deps } = surface;

  app.action(ACTIONS.rerun, async ({ ack, action, body, client, respond }) => {
    await ack();
    const record = await surface.lookup(runIdOf(action), guardEphemeral(respond, deps.redactor));
    if (record) void surface.rerun(client, record, body.user.id);
  });

  for (const decision of ['confirmed', 'rejected'] as const) {
    app.action(
      decision === 'confirmed' ? ACTIONS.confirm : ACTIONS.reject,
      async ({ ack, action, body, client, respond }) => {
        await ack();
        const record = await surface.lookup(runIdOf(action), guardEphemeral(respond, deps.redactor));
        if (!record?.top) return;
        const verdict = { userId: body.user.id, decision, cause: record.top.cause, at: deps.now() };
        const shown = deps.registry.update(record.runId, decided(verdict)) ?? decided(verdict)(record);
        await recordDecision(deps.journal, record.runId, verdict);
        await deps.runner.refreshRoot(client, shown);
      },
    );
  }

  app.action(ACTIONS.exportPostmortem, async ({ ack, action, body, client, respond }) => {
    await ack();
    const channel = (body as { channel?: { id?: string } }).channel?.id ?? '';
    await surface.exportTo(client, runIdOf(action), channel, guardEphemeral(respond, deps.redactor));
  });
}
