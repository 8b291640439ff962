import nock from 'nock';
import { afterAll, afterEach, vi } from 'vitest';

// Only loopback traffic is real in tests (the local Prometheus); everything else must be mocked.
nock.disableNetConnect();
nock.enableNetConnect((host) => host.startsWith('127.0.0.1') || host.startsWith('localhost'));

afterEach(() => {
  nock.cleanAll();
});

// Unit test files share a worker one after another: each leaves the clock, timers, spies and stubs as it found them.
afterAll(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
});
