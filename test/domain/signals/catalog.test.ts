import { parser } from '@prometheus-io/lezer-promql';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPromql } from '../../../src/adapters/playbook-files/check-promql.js';
import { SIGNALS } from '../../../src/domain/signals/catalog.js';
import { expandTemplate } from '../../../src/domain/signals/resolve-signal.js';

const values = { serviceLabel: 'job', service: 'checkout', windowSeconds: 1800, rateSeconds: 300, trendSeconds: 7200 };

describe('signal catalogue', () => {
  const variants = SIGNALS.flatMap((s) => s.variants.map((v) => ({ signal: s.name, ...v })));

  it.each(variants.map((v) => [`${v.signal} (${v.convention})`, v.query] as const))(
    '%s parses as PromQL',
    (_, query) => {
      expect(checkPromql(expandTemplate(query, values))).toBeNull();
    },
  );

  it('has unique names and at least one variant each', () => {
    expect(new Set(SIGNALS.map((s) => s.name)).size).toBe(SIGNALS.length);
    for (const s of SIGNALS) expect(s.variants.length).toBeGreaterThan(0);
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
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (service) => {
        const query = expandTemplate(template, { ...values, service });
        expect(checkPromql(query)).toBeNull();
        expect(shape(query)).toBe(reference);
      }),
      { numRuns: 2000 },
    );
    expect(shape(expandTemplate(template, { ...values, service: 'x"} or up{job=~".+"} #' }))).toBe(reference);
  });
});
