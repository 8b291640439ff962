/**
 * No symptom text and no alert label can change the structure of a PromQL query: whatever service name Triage
 * reads from them ends up inside one string literal of one label matcher (or is refused with `query_unsafe`), as
 * Prometheus's own grammar parses it. Log lines never become query text at all (they are only read back); the
 * LogQL and Elasticsearch builders have their own properties next to their adapters.
 */
import { parser } from '@prometheus-io/lezer-promql';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Alert, AlertNotification } from '../../src/domain/alerts/alert.js';
import { alertToSymptom } from '../../src/domain/alerts/alert-symptom.js';
import { SymptomError, UnsafeQueryValueError } from '../../src/domain/errors.js';
import { quoteLiteral } from '../../src/domain/promql/quote.js';
import { parseSymptom } from '../../src/domain/symptom/parse-symptom.js';

const NOW = new Date('2026-11-01T15:00:00Z');
const RUNS = 10_000;

const hostile = fc.constantFrom(
  '"',
  '\\',
  '\\"',
  '"}',
  '"} or up{job=~".+"} #',
  '`',
  "'",
  '{',
  '}',
  '=~',
  '!=',
  ',',
  '#',
  '\n',
  '\u2028',
  'or vector(1)',
  ')',
  ' ',
  'checkout',
  'for service ',
  ' on ',
);
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.array(hostile, { maxLength: 12 }).map((parts) => parts.join('')),
  fc
    .tuple(
      fc.constantFrom('502 on ', 'errors for service ', 'latency up on ', 'p99 on '),
      fc.array(hostile, { maxLength: 8 }),
    )
    .map(([prefix, parts]) => prefix + parts.join('')),
);

/** `up{job=<literal>}` must parse as one vector selector with one matcher, no error and no comment. */
function expectOneMatcher(service: string): void {
  let literal: string;
  try {
    literal = quoteLiteral(service);
  } catch (err) {
    expect(err).toBeInstanceOf(UnsafeQueryValueError);
    return;
  }
  const expression = `up{job=${literal}}`;
  let errors = 0;
  let matchers = 0;
  let comments = 0;
  const literals: [number, number][] = [];
  parser.parse(expression).iterate({
    enter(node) {
      if (node.type.isError) errors++;
      if (/LabelMatcher$/.test(node.name)) matchers++;
      if (node.name === 'LineComment') comments++;
      if (node.name === 'StringLiteral') literals.push([node.from, node.to]);
    },
  });
  expect({ errors, matchers, comments, literals }).toEqual({
    errors: 0,
    matchers: 1,
    comments: 0,
    literals: [[7, 7 + literal.length]],
  });
}

function notification(labels: Record<string, string>): AlertNotification {
  const alert: Alert = { status: 'firing', alertname: labels.alertname ?? 'X', labels, annotations: {} };
  return {
    source: 'alertmanager-webhook',
    status: 'firing',
    title: `[FIRING:1] ${alert.alertname}`,
    groupKey: 'k',
    groupLabels: {},
    commonLabels: labels,
    commonAnnotations: {},
    firingCount: 1,
    resolvedCount: 0,
    alerts: [alert],
    truncatedAlerts: 0,
  };
}

describe('user text never becomes PromQL syntax (property)', () => {
  it(`keeps every service candidate from a symptom inside one string literal (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(text, (symptom) => {
        let candidates: string[];
        try {
          candidates = parseSymptom(symptom, { now: NOW }).serviceCandidates;
        } catch (err) {
          expect(err).toBeInstanceOf(SymptomError);
          return;
        }
        for (const candidate of candidates) expectOneMatcher(candidate);
      }),
      { numRuns: RUNS },
    );
  });

  it(`keeps the service read from alert labels inside one string literal (${RUNS} cases)`, () => {
    const label = fc.constantFrom('service', 'app', 'application', 'job', 'container', 'alertname', 'severity');
    fc.assert(
      fc.property(fc.dictionary(label, text, { maxKeys: 5 }), (labels) => {
        const symptom = alertToSymptom(notification(labels), { now: NOW });
        for (const candidate of symptom.serviceCandidates) expectOneMatcher(candidate);
        if (symptom.service !== null) expectOneMatcher(symptom.service);
      }),
      { numRuns: RUNS },
    );
  });
});
