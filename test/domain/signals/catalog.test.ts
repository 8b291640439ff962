import { parser } from '@prometheus-io/lezer-promql';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkPromql } from '../../../src/adapters/playbook-files/check-promql.js';
import { loadCatalog } from '../../../src/adapters/playbook-files/load-playbooks.js';
import { compileCatalog } from '../../../src/domain/signals/compile-catalog.js';
import { expandTemplate } from '../../../src/domain/signals/resolve-signal.js';
import type { SignalCatalog } from '../../../src/domain/signals/signal.js';

const values = {
  selector: [{ label: 'job', value: 'checkout' }],
  windowSeconds: 1800,
  rateSeconds: 300,
  trendSeconds: 7200,
};

describe('signal catalogue (signals/*.yml)', () => {
  let catalog: SignalCatalog;

  beforeAll(async () => {
    const loaded = await loadCatalog();
    expect(loaded.problems).toEqual([]);
    catalog = loaded.signals;
  });

  it('parses every query of every convention as PromQL', () => {
    const variants = [...catalog.signals.values()].flatMap((s) =>
      s.variants.filter((v) => !v.unavailable).map((v) => ({ signal: s.name, ...v })),
    );
    expect(variants.length).toBeGreaterThan(200);
    for (const v of variants)
      expect(checkPromql(expandTemplate(v.query, values)), `${v.signal} (${v.convention})`).toBeNull();
  });

  it('gives every signal a convention, and every convention a source or a title', () => {
    for (const s of catalog.signals.values()) expect(s.variants.length, s.name).toBeGreaterThan(0);
    for (const c of catalog.conventions) expect(c.signals.length, c.id).toBeGreaterThan(0);
  });

  it('tries edge proxies before the application for what users see, and the process collector last', () => {
    const order = (signal: string) => catalog.signals.get(signal)?.variants.map((v) => v.convention) ?? [];
    const rate = order('http_5xx_ratio');
    expect(rate.indexOf('istio')).toBeLessThan(rate.indexOf('prom-client'));
    expect(rate.indexOf('ingress-nginx')).toBeLessThan(rate.indexOf('micrometer'));
    expect(order('restarts')).toEqual(['kube-state-metrics', 'process']);
    expect(order('cpu_cores')[0]).toBe('process');
    expect(order('memory_growth').at(-1)).not.toBe('cadvisor');
  });

  it('says when a convention cannot tell one status code from its class', () => {
    const haproxy = catalog.signals.get('http_502_ratio')?.variants.find((v) => v.convention === 'haproxy');
    expect(haproxy?.unavailable).toMatch(/classes/);
    const grpc = catalog.signals.get('http_502_ratio')?.variants.find((v) => v.convention === 'grpc-go');
    expect(grpc?.unavailable).toMatch(/gRPC has no status/);
    const grpc503 = catalog.signals.get('http_503_ratio')?.variants.find((v) => v.convention === 'grpc-go');
    expect(grpc503?.query).toContain('unavailable|14');
  });

  it('detects a syntax error (the check can fail)', () => {
    expect(checkPromql('sum(rate(x[5m])')).toMatch(/unexpected input/);
  });

  it('never lets a service name change the structure of a query', () => {
    const template = 'sum(rate(http_requests_total{$service}[$rate]))';
    const shape = (q: string) => {
      const names: string[] = [];
      parser.parse(q).iterate({ enter: (n) => void names.push(n.name) });
      return names.join(' ');
    };
    const reference = shape(expandTemplate(template, values));
    const withValue = (value: string) => ({ ...values, selector: [{ label: 'job', value }] });
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (service) => {
        const query = expandTemplate(template, withValue(service));
        expect(checkPromql(query)).toBeNull();
        expect(shape(query)).toBe(reference);
      }),
      { numRuns: 2000 },
    );
    expect(shape(expandTemplate(template, withValue('x"} or up{job=~".+"} #')))).toBe(reference);
  });
});

describe('compileCatalog', () => {
  const signal = { id: 'request_rate', title: 'Requests', unit: 'per_second', reduce: 'max', direction: 'up' } as const;

  it('lets a team replace a built-in convention by id, and says so', () => {
    const compiled = compileCatalog(
      [
        {
          file: 'builtin.yml',
          builtIn: true,
          data: {
            version: 1,
            signals: [{ ...signal, scope: 'service' }],
            conventions: [
              {
                id: 'acme',
                title: 'A',
                provides: { request_rate: { requires: ['a_total'], query: 'sum(rate(a_total{$service}[$rate]))' } },
              },
            ],
          },
        },
        {
          file: 'team.yml',
          builtIn: false,
          data: {
            version: 1,
            conventions: [
              {
                id: 'acme',
                title: 'B',
                provides: { request_rate: { requires: ['b_total'], query: 'sum(rate(b_total{$service}[$rate]))' } },
              },
            ],
          },
        },
      ],
      checkPromql,
    );
    expect(compiled.problems).toEqual([]);
    expect(compiled.notices.map((n) => `${n.file} ${n.path}: ${n.message}`)).toEqual([
      'team.yml conventions.0.id: replaces the built-in convention "acme" (builtin.yml)',
    ]);
    expect(compiled.catalog.signals.get('request_rate')?.variants.map((v) => v.requires[0])).toEqual(['b_total']);
  });

  it('puts a convention restricted to named services first', () => {
    const compiled = compileCatalog(
      [
        {
          file: 'a.yml',
          builtIn: true,
          data: {
            version: 1,
            signals: [{ ...signal, scope: 'service' }],
            conventions: [
              {
                id: 'general',
                title: 'G',
                priority: 1,
                provides: { request_rate: { requires: ['g_total'], query: 'sum(rate(g_total{$service}[$rate]))' } },
              },
              {
                id: 'billing-odd-names',
                title: 'Billing',
                priority: 90,
                services: ['billing'],
                provides: {
                  request_rate: { requires: ['bill_calls'], query: 'sum(rate(bill_calls{$service}[$rate]))' },
                },
              },
            ],
          },
        },
      ],
      checkPromql,
    );
    expect(compiled.catalog.signals.get('request_rate')?.variants.map((v) => v.convention)).toEqual([
      'billing-odd-names',
      'general',
    ]);
  });

  it('reports an unknown signal with the closest id, a bad query and a duplicate id, and keeps the rest', () => {
    const compiled = compileCatalog(
      [
        {
          file: 'team.yml',
          builtIn: false,
          data: {
            version: 1,
            signals: [{ ...signal, scope: 'service' }],
            conventions: [
              {
                id: 'typo',
                title: 'T',
                provides: { request_rat: { requires: ['t_total'], query: 'sum(t_total{$service})' } },
              },
              {
                id: 'bad',
                title: 'B',
                provides: { request_rate: { requires: ['b_total'], query: 'sum(rate(b_total{$service}[$rate])' } },
              },
              {
                id: 'good',
                title: 'G',
                provides: { request_rate: { requires: ['g_total'], query: 'sum(rate(g_total{$service}[$rate]))' } },
              },
              {
                id: 'good',
                title: 'G2',
                provides: { request_rate: { requires: ['h_total'], query: 'sum(h_total{$service})' } },
              },
            ],
          },
        },
      ],
      checkPromql,
    );
    expect(compiled.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'conventions.3.id: convention id "good" is also defined in team.yml; this one is ignored',
      'conventions.0.provides.request_rat: unknown signal "request_rat"; did you mean "request_rate"?',
      expect.stringMatching(/^conventions\.1\.provides\.request_rate\.query: PromQL syntax error/),
    ]);
    expect(compiled.catalog.signals.get('request_rate')?.variants.map((v) => v.convention)).toEqual(['good']);
  });
});

describe('fixedMatchers', () => {
  it('reads the equality matchers a convention always writes, not the regex or negative ones', async () => {
    const { fixedMatchers } = await import('../../../src/domain/signals/expand-convention.js');
    expect(fixedMatchers('reporter="destination",direction="inbound"')).toEqual({
      reporter: 'destination',
      direction: 'inbound',
    });
    expect(fixedMatchers('code!="200",path=~"/api/.*"')).toBeUndefined();
    expect(fixedMatchers(undefined)).toBeUndefined();
  });
});
