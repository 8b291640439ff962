import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../../src/adapters/playbook-files/load-playbooks.js';
import type { EntityProfile } from '../../../src/domain/discovery/service-profile.js';
import { resolveVariant } from '../../../src/domain/signals/resolve-signal.js';
import type { SignalCatalog } from '../../../src/domain/signals/signal.js';

let catalog: SignalCatalog;
beforeAll(async () => {
  catalog = (await loadCatalog()).signals;
});

/** A service whose families carry these labels, each with these values (as discovery records them). */
function profile(families: Record<string, Record<string, string[]>>): EntityProfile {
  return {
    name: 'svc',
    families: new Map(Object.keys(families).map((f) => [f, [[{ label: 'job', value: 'svc' }]]])),
    labels: new Map(
      Object.entries(families).map(([f, labels]) => [
        f,
        new Map(Object.entries(labels).map(([l, values]) => [l, new Set(values)])),
      ]),
    ),
  };
}

function resolve(signal: string, p: EntityProfile) {
  const s = catalog.signals.get(signal);
  if (!s) throw new Error(signal);
  return resolveVariant(s.variants, p);
}

describe('resolveVariant', () => {
  it('says a status holding classes cannot tell 502 from 500, rather than reading 0 % elsewhere', () => {
    // prometheus-fastapi-instrumentator: a grouped status on the counter, no status on the duration histogram.
    const fastapi = profile({
      http_requests_total: { status: ['2xx', '5xx'], handler: ['/items'] },
      http_request_duration_seconds_count: { handler: ['/items'] },
      http_request_duration_seconds_bucket: { handler: ['/items'], le: ['0.1', '+Inf'] },
    });
    const r = resolve('http_502_ratio', fastapi);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.unavailable).toMatch(/holds classes/);
    const fiveXx = resolve('http_5xx_ratio', fastapi);
    expect(fiveXx.ok && fiveXx.variant.convention).toBe('prom-client');
  });

  it('passes over a convention whose fixed matchers the series never carry', () => {
    // Only callers' sidecars report this service (no sidecar of its own): no reporter="destination" series.
    const istio = {
      ...profile({ istio_requests_total: { reporter: ['source'], response_code: ['200', '503'] } }),
      families: new Map([['istio_requests_total', [[{ label: 'destination_workload', value: 'svc' }]]]]),
    };
    const r = resolve('http_5xx_ratio', istio);
    expect(r.ok && r.variant.convention).toBe('istio-source');
  });

  it('passes over a family with no status label at all', () => {
    const histogramOnly = profile({ http_request_duration_seconds_count: { handler: ['/a'] } });
    const r = resolve('http_5xx_ratio', histogramOnly);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.missing.join(' ')).toMatch(/with a status label/);
  });
});
