import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/**
 * Where the CLI keeps its run store when neither a flag nor the environment names one: the user's state directory,
 * `$XDG_STATE_HOME/triage/triage.sqlite`, else `~/.local/state/triage/triage.sqlite` (on Windows under
 * `%LOCALAPPDATA%\triage`). One file per user, so `triage runs list` finds the runs from any directory.
 * A relative XDG_STATE_HOME is ignored, as the XDG specification asks.
 */
export function defaultCliStorePath(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
  home: () => string = homedir,
): string {
  const xdg = env.XDG_STATE_HOME?.trim();
  if (xdg && isAbsolute(xdg)) return join(xdg, 'triage', 'triage.sqlite');
  if (platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'triage', 'triage.sqlite');
  return join(env.HOME?.trim() || home(), '.local', 'state', 'triage', 'triage.sqlite');
}
