/**
 * The fast readers of Prometheus answers agree with the zod schemas they sit in front of: on every input, the fast
 * path either steps aside (and zod decides) or returns exactly what zod returns. Inputs are JSON values built to be
 * near the documented shapes, so both well-formed and subtly broken answers are common.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  EnvelopeResponse,
  fastEnvelope,
  fastQueryData,
  QueryDataReader,
  QueryDataResponse,
} from '../../../src/adapters/prometheus/wire.js';

const RUNS = 10_000;
/** Stands for `1e400` in the JSON text: a number JSON.parse reads as Infinity, which zod refuses as a time. */
const OVERFLOW = 7_777_777.5;

const sampleText = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.integer().map(String),
  fc.constantFrom('NaN', '+Inf', '-Inf', 'Inf', '1e400', '', ' 1', '0x10', '1.', '.5', '-0', 'abc'),
);
const timestamp = fc.oneof(fc.double({ min: 0, max: 2e9, noNaN: true }), fc.constantFrom(OVERFLOW, -1));
const pair = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(timestamp, sampleText) },
  { weight: 1, arbitrary: fc.tuple(sampleText, timestamp) },
  { weight: 1, arbitrary: fc.array(fc.jsonValue(), { maxLength: 3 }) },
);
const labels = fc.oneof(
  { weight: 8, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue(), { maxKeys: 3 }) },
  { weight: 1, arbitrary: fc.jsonValue() },
);
const extra = fc.option(fc.record({ [`x${'y'}`]: fc.jsonValue() }), { nil: undefined });
const matrixItem = fc
  .record(
    { metric: labels, values: fc.array(pair, { maxLength: 5 }), histograms: fc.jsonValue() },
    { requiredKeys: ['metric'] },
  )
  .chain((item) => extra.map((e) => ({ ...item, ...e })));
const vectorItem = fc
  .record({ metric: labels, value: pair, histogram: fc.jsonValue() }, { requiredKeys: ['metric'] })
  .chain((item) => extra.map((e) => ({ ...item, ...e })));
const queryData = fc.oneof(
  fc.record({ resultType: fc.constant('matrix'), result: fc.array(matrixItem, { maxLength: 4 }) }),
  fc.record({ resultType: fc.constant('vector'), result: fc.array(vectorItem, { maxLength: 4 }) }),
  fc.record({ resultType: fc.constantFrom('scalar', 'string', 'matrix'), result: fc.jsonValue() }),
  fc.jsonValue(),
);
const envelope = fc.oneof(
  fc.record(
    {
      status: fc.constant('success'),
      data: fc.jsonValue(),
      warnings: fc.array(fc.string()),
      infos: fc.array(fc.string()),
    },
    { requiredKeys: ['status'] },
  ),
  fc.record(
    {
      status: fc.constantFrom('success', 'error', 'other'),
      data: fc.jsonValue(),
      warnings: fc.oneof(fc.array(fc.string()), fc.jsonValue()),
      infos: fc.array(fc.string()),
      errorType: fc.string(),
      extra: fc.jsonValue(),
    },
    { requiredKeys: ['status'] },
  ),
  fc.jsonValue(),
);

/** What the wire gives: the value as JSON text, parsed back (so no undefined, NaN or shared references). */
const wire = (v: unknown) => JSON.parse((JSON.stringify(v) ?? 'null').replaceAll(String(OVERFLOW), '1e400')) as unknown;

/**
 * Checks that `fast` returns exactly what `schema` does whenever it answers, over 10,000 generated values, and
 * returns how many it answered (so a generator that never reaches the fast path shows).
 */
function agreement<T>(values: fc.Arbitrary<unknown>, fast: (v: unknown) => T | undefined, schema: z.ZodType<T>) {
  let answered = 0;
  fc.assert(
    fc.property(values, (raw) => {
      const value = wire(raw);
      const quick = fast(value);
      if (quick === undefined) return;
      answered++;
      const slow = schema.safeParse(value);
      expect(slow.success).toBe(true);
      expect(quick).toStrictEqual(slow.data);
    }),
    { numRuns: RUNS },
  );
  return answered;
}

describe('fast readers of Prometheus answers', () => {
  it('read query data exactly as the zod schema does, or leave it to zod', () => {
    expect(agreement(queryData, fastQueryData, QueryDataResponse)).toBeGreaterThan(RUNS / 10);
  });

  it('read envelopes exactly as the zod schema does, or leave them to zod', () => {
    expect(agreement(envelope, fastEnvelope, EnvelopeResponse)).toBeGreaterThan(RUNS / 20);
  });

  it('still explains a broken answer through zod', () => {
    const broken = { resultType: 'matrix', result: [{ metric: {}, values: [[1, 'one']] }] };
    const read = QueryDataReader.safeParse(broken);
    expect(read.success).toBe(false);
    expect(read.error?.issues[0]?.message).toContain('"one" is not a sample value');
  });

  it('reads a well-formed matrix without zod, into numbers', () => {
    const read = QueryDataReader.safeParse({
      resultType: 'matrix',
      result: [
        {
          metric: { job: 'api' },
          values: [
            [1, '0.5'],
            [2, 'NaN'],
            [3, '+Inf'],
          ],
        },
      ],
    });
    expect(read).toStrictEqual({
      success: true,
      data: {
        resultType: 'matrix',
        result: [
          {
            metric: { job: 'api' },
            values: [
              [1, 0.5],
              [2, Number.NaN],
              [3, Number.POSITIVE_INFINITY],
            ],
          },
        ],
      },
    });
  });
});
