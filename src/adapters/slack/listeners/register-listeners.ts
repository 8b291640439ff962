import type { App } from '@slack/bolt';
import { registerAppMention } from './app-mention.js';
import { registerButtons } from './buttons.js';
import { registerDiagnoseCommand } from './diagnose-command.js';
import { registerEventDedupe } from './event-dedupe.js';
import { createSurface, type SlackSurfaceDeps } from './surface.js';

export type { SlackSurfaceDeps };

/**
 * Wires /diagnose, the buttons and app mentions to the diagnosis use-cases. Every handler acknowledges first and
 * works afterwards, so Slack never waits more than a few milliseconds for an answer.
 */
export function registerListeners(app: App, deps: SlackSurfaceDeps): void {
  const surface = createSurface(deps);
  registerEventDedupe(app, surface);
  registerDiagnoseCommand(app, surface);
  registerButtons(app, surface);
  registerAppMention(app, surface);
}
