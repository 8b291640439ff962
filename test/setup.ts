import nock from 'nock';
import { afterEach } from 'vitest';

// Only loopback traffic is real in tests (the local Prometheus); everything else must be mocked.
nock.disableNetConnect();
nock.enableNetConnect((host) => host.startsWith('127.0.0.1') || host.startsWith('localhost'));

afterEach(() => {
  nock.cleanAll();
});
