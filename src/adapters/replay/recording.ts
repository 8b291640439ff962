import { z } from 'zod';
import type { Series } from '../../domain/ports.js';

/** One recorded answer of a metrics source, keyed by the call and its arguments. */
export const RecordedCallSchema = z.strictObject({
  key: z.string(),
  result: z.unknown(),
});

/** A recorded incident: what was asked, when, and every answer Prometheus gave. */
export const RecordingSchema = z.strictObject({
  version: z.literal(1),
  name: z.string(),
  description: z.string(),
  symptom: z.string(),
  at: z.string(),
  service: z.string().optional(),
  /** Expected top cause (or `none` for a healthy service), checked by `triage playbooks test`. */
  expect: z.strictObject({ topCause: z.string(), minConfidence: z.number().min(0).max(1).optional() }),
  prometheusUrl: z.string(),
  calls: z.array(RecordedCallSchema),
});
export type Recording = z.infer<typeof RecordingSchema>;

export const SeriesListSchema = z.array(
  z.strictObject({
    labels: z.record(z.string(), z.string()),
    samples: z.array(z.strictObject({ t: z.number(), v: z.number().nullable() })),
  }),
);

/** JSON has no NaN or Infinity: they are stored as null and read back as NaN (never used as a value). */
export function encodeSeries(series: readonly Series[]): unknown {
  return series.map((s) => ({
    labels: s.labels,
    samples: s.samples.map((p) => ({ t: p.t, v: Number.isFinite(p.v) ? p.v : null })),
  }));
}

export function decodeSeries(raw: unknown): Series[] {
  return SeriesListSchema.parse(raw).map((s) => ({
    labels: s.labels,
    samples: s.samples.map((p) => ({ t: p.t, v: p.v ?? Number.NaN })),
  }));
}

/** A stable key for a call: the method and its arguments, dates as ISO strings. */
export function callKey(method: string, args: readonly unknown[]): string {
  return JSON.stringify([method, ...args], (_k, v: unknown) => (v instanceof Date ? v.toISOString() : v));
}
