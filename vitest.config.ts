import { readdirSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

/**
 * Two test speeds.
 *
 * `unit` (`npm run test:unit`): the domain, the application ring, the adapters and the app's parts against fakes and
 * fake timers.
 * No Prometheus, no PostgreSQL, no Alertmanager, no Bolt over HTTP, no child processes.
 *
 * `integration` (`npm run test:integration`): everything else — the real Prometheus scenario suite, the PostgreSQL
 * run store, Alertmanager, the Slack app over HTTP, the CLI and the package in child processes.
 *
 * Every test file lands in exactly one of the two: a file is a unit test when it sits in a unit folder (or is one
 * of the unit files named below) and is not in the list of files that need real components.
 */
const UNIT_FOLDERS = ['test/domain/', 'test/application/', 'test/adapters/', 'test/app/', 'test/logs/'];

/** Unit tests outside the unit folders. */
const UNIT_FILES = [
  'test/catalog-files.test.ts',
  'test/manifest.test.ts',
  'test/playbooks.test.ts',
  'test/readme.test.ts',
  'test/schemas.test.ts',
];

/** Files in the unit folders that need a real component, and so run with the integration tests. */
const NEEDS_REAL_COMPONENTS = [
  // The scenario Prometheus.
  'test/adapters/prometheus/range-pair.test.ts',
  'test/application/postmortem/postmortem-golden.test.ts',
  'test/domain/discovery/discover-service.test.ts',
  // PostgreSQL (each also runs the same contract against SQLite).
  'test/adapters/store/command-store.test.ts',
  'test/adapters/store/migrations.test.ts',
  'test/adapters/store/outbox-store.test.ts',
  'test/adapters/store/postgres-run-store.test.ts',
  // The fake Slack server, or the app on it, over HTTP, with real waits.
  'test/adapters/log/bolt-logger.test.ts',
  'test/adapters/slack/alerts/alert-intake.test.ts',
  'test/app/run-retention.test.ts',
  // The app in a child process, or over HTTP against the scenario Prometheus.
  'test/app/crash-safety.test.ts',
  'test/app/main.test.ts',
  'test/app/readiness.test.ts',
  'test/app/shutdown.test.ts',
];

function isUnit(file: string): boolean {
  if (NEEDS_REAL_COMPONENTS.includes(file)) return false;
  return UNIT_FILES.includes(file) || UNIT_FOLDERS.some((folder) => file.startsWith(folder));
}

const testFiles = readdirSync(new URL('test', import.meta.url), { recursive: true, encoding: 'utf8' })
  .map((file) => `test/${file.split('\\').join('/')}`)
  .filter((file) => file.endsWith('.test.ts'))
  .sort();

export default defineConfig({
  test: {
    environment: 'node',
    setupFiles: ['test/setup.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: testFiles.filter(isUnit),
          // The unit files share their workers' module cache (test/setup.ts puts timers, spies and stubs back after
          // each file): loading the modules again for every file was most of the tier's time.
          isolate: false,
          testTimeout: 10_000,
          hookTimeout: 10_000,
        },
      },
      // `npm run test:integration` runs four files at once (--maxWorkers=4) even on two cores: most of this tier waits
      // on Slack's pacing, timers and child processes rather than the CPU (973 s with two workers, 277 s with four).
      {
        extends: true,
        test: {
          name: 'integration',
          include: testFiles.filter((file) => !isUnit(file)),
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
