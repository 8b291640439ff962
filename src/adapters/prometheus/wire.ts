import { z } from 'zod';

/**
 * Zod schemas of the Prometheus HTTP API answers (`docs/querying/api.md`, 2.42 baseline). Sample values arrive as
 * strings (`"1.5"`, `"NaN"`, `"+Inf"`) and are turned into numbers here; nothing loose leaks past this module.
 */

const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Parses a Prometheus sample value as Go's `strconv.FormatFloat` writes it, keeping NaN and ±Inf. */
export function parseSampleValue(text: string): number | undefined {
  if (text === 'NaN') return Number.NaN;
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return FLOAT.test(text) ? Number(text) : undefined;
}

/** A sample value: a decimal string, `"NaN"`, `"+Inf"` or `"-Inf"`, as a number. */
export const SampleValueResponse = z.string().transform((text, ctx) => {
  const value = parseSampleValue(text);
  if (value === undefined) {
    ctx.issues.push({ code: 'custom', message: `${JSON.stringify(text)} is not a sample value`, input: text });
    return z.NEVER;
  }
  return value;
});

/** `[<unix seconds>, "<value>"]`. */
export const SamplePairResponse = z.tuple([z.number(), SampleValueResponse]);

const LabelsResponse = z.record(z.string(), z.string());

/** One element of an instant vector; native-histogram samples (`histogram`) are accepted and ignored. */
export const VectorSampleResponse = z.object({
  metric: LabelsResponse,
  value: SamplePairResponse.optional(),
  histogram: z.unknown().optional(),
});

/** One series of a range vector; native-histogram samples (`histograms`) are accepted and ignored. */
export const MatrixSeriesResponse = z.object({
  metric: LabelsResponse,
  values: z.array(SamplePairResponse).optional(),
  histograms: z.unknown().optional(),
});

/** `data` of `/api/v1/query` and `/api/v1/query_range`. */
export const QueryDataResponse = z.discriminatedUnion('resultType', [
  z.object({ resultType: z.literal('vector'), result: z.array(VectorSampleResponse) }),
  z.object({ resultType: z.literal('matrix'), result: z.array(MatrixSeriesResponse) }),
  z.object({ resultType: z.literal('scalar'), result: SamplePairResponse }),
  z.object({ resultType: z.literal('string'), result: z.tuple([z.number(), z.string()]) }),
]);
export type QueryData = z.infer<typeof QueryDataResponse>;

/** `data` of `/api/v1/series`: one label set per series. */
export const SeriesDataResponse = z.array(LabelsResponse);

/** `data` of `/api/v1/label/<name>/values`. */
export const LabelValuesDataResponse = z.array(z.string());

/** `data` of `/api/v1/status/buildinfo` (only the fields Triage reads). */
export const BuildInfoDataResponse = z.object({ version: z.string() });

/**
 * The envelope every API answer shares. `infos` exists only from v2.54, and error answers carry `errorType` and
 * `error` instead of `data`.
 */
export const EnvelopeResponse = z.object({
  status: z.enum(['success', 'error']),
  data: z.unknown().optional(),
  errorType: z.string().optional(),
  error: z.string().optional(),
  warnings: z.array(z.string()).optional(),
  infos: z.array(z.string()).optional(),
});
export type Envelope = z.infer<typeof EnvelopeResponse>;
