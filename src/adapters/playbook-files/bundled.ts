import { fileURLToPath } from 'node:url';

/** The playbooks shipped with Triage (`playbooks/` next to `src/` or `dist/`). */
export const BUNDLED_PLAYBOOKS = fileURLToPath(new URL('../../../playbooks', import.meta.url));
/** The signal definitions and metric conventions shipped with Triage. */
export const BUNDLED_SIGNALS = fileURLToPath(new URL('../../../signals', import.meta.url));
