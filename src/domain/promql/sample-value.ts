import { z } from 'zod';

/**
 * A sample value as Prometheus and Loki write it in their JSON answers: Go's `strconv.FormatFloat` text, with NaN
 * and ±Inf spelled out (`"1.5"`, `"NaN"`, `"+Inf"`). Both APIs share the format; it is read as a number here.
 */

const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The number a sample value's text stands for (NaN and ±Inf kept), or undefined when it is not one. */
export function parseSampleValue(text: string): number | undefined {
  if (text === 'NaN') return Number.NaN;
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return FLOAT.test(text) ? Number(text) : undefined;
}

/** A sample value: a decimal string, `"NaN"`, `"+Inf"` or `"-Inf"`, as a number. */
export const SampleValueSchema = z.string().transform((text, ctx) => {
  const value = parseSampleValue(text);
  if (value === undefined) {
    ctx.issues.push({ code: 'custom', message: `${JSON.stringify(text)} is not a sample value`, input: text });
    return z.NEVER;
  }
  return value;
});

/** `[<unix seconds>, "<value>"]`. */
export const SamplePairSchema = z.tuple([z.number(), SampleValueSchema]);
