import { z } from 'zod';
import { parseSampleValue, SamplePairSchema } from '../../domain/promql/sample-value.js';

/**
 * Zod schemas of the Prometheus HTTP API answers (`docs/querying/api.md`, 2.42 baseline). Sample values arrive as
 * strings (`"1.5"`, `"NaN"`, `"+Inf"`) and are turned into numbers here; nothing loose leaks past this module.
 */

/** `[<unix seconds>, "<value>"]`. */
export const SamplePairResponse = SamplePairSchema;

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

/** What the adapter reads an answer with: a zod schema, or one with a fast path in front of it. */
export interface Reader<T> {
  safeParse(value: unknown): z.ZodSafeParseResult<T>;
}

/**
 * A reader that tries `fast` first and falls back to `schema`. `fast` answers only for the common, well-formed
 * shape (exactly what `schema` would return) and `undefined` for anything else, which `schema` then accepts or
 * explains. Checking a few thousand samples by hand costs a fraction of what zod's general walk costs, and every
 * playbook step reads two answers.
 */
export function withFastPath<T>(schema: z.ZodType<T>, fast: (value: unknown) => T | undefined): Reader<T> {
  return {
    safeParse(value) {
      const data = fast(value);
      return data === undefined ? schema.safeParse(value) : { success: true, data };
    },
  };
}

type Pair = [number, number];

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function isLabels(v: unknown): v is Record<string, string> {
  if (!isRecord(v)) return false;
  for (const key in v) if (typeof v[key] !== 'string') return false;
  return true;
}

function pairOf(v: unknown): Pair | undefined {
  if (!Array.isArray(v) || v.length !== 2) return undefined;
  const [t, text] = v as unknown[];
  if (typeof t !== 'number' || !Number.isFinite(t) || typeof text !== 'string') return undefined;
  const value = parseSampleValue(text);
  return value === undefined ? undefined : [t, value];
}

/** Only `metric` and the sample field (and the ignored histogram field): any other key goes to zod. */
function hasOnly(v: Record<string, unknown>, keys: readonly string[]): boolean {
  for (const key in v) if (!keys.includes(key)) return false;
  return true;
}

const VECTOR_KEYS = ['metric', 'value', 'histogram'] as const;
const MATRIX_KEYS = ['metric', 'values', 'histograms'] as const;

/** The fast path of {@link QueryDataResponse}: vectors and matrices of well-formed float samples. */
export function fastQueryData(data: unknown): QueryData | undefined {
  if (!isRecord(data) || !Array.isArray(data.result) || !hasOnly(data, ['resultType', 'result'])) return undefined;
  if (data.resultType === 'matrix') {
    const result: Extract<QueryData, { resultType: 'matrix' }>['result'] = [];
    for (const item of data.result as unknown[]) {
      if (!isRecord(item) || !isLabels(item.metric) || !hasOnly(item, MATRIX_KEYS)) return undefined;
      if (item.values === undefined) {
        result.push(
          'histograms' in item ? { metric: item.metric, histograms: item.histograms } : { metric: item.metric },
        );
        continue;
      }
      if (!Array.isArray(item.values)) return undefined;
      const values: Pair[] = new Array(item.values.length);
      for (let i = 0; i < item.values.length; i++) {
        const pair = pairOf(item.values[i]);
        if (pair === undefined) return undefined;
        values[i] = pair;
      }
      result.push({ metric: item.metric, values, ...('histograms' in item ? { histograms: item.histograms } : {}) });
    }
    return { resultType: 'matrix', result };
  }
  if (data.resultType === 'vector') {
    const result: Extract<QueryData, { resultType: 'vector' }>['result'] = [];
    for (const item of data.result as unknown[]) {
      if (!isRecord(item) || !isLabels(item.metric) || !hasOnly(item, VECTOR_KEYS)) return undefined;
      const value = item.value === undefined ? undefined : pairOf(item.value);
      if (item.value !== undefined && value === undefined) return undefined;
      result.push({
        metric: item.metric,
        ...(value === undefined ? {} : { value }),
        ...('histogram' in item ? { histogram: item.histogram } : {}),
      });
    }
    return { resultType: 'vector', result };
  }
  return undefined;
}

/** {@link QueryDataResponse} with its fast path. */
export const QueryDataReader = withFastPath(QueryDataResponse, fastQueryData);

/** The fast path of {@link EnvelopeResponse}: a plain success, with at most string warnings and infos. */
export function fastEnvelope(value: unknown): Envelope | undefined {
  if (!isRecord(value) || value.status !== 'success') return undefined;
  for (const key in value) {
    const field = value[key];
    if (key === 'status' || key === 'data') continue;
    if (key !== 'warnings' && key !== 'infos') return undefined;
    if (!Array.isArray(field) || !field.every((w) => typeof w === 'string')) return undefined;
  }
  return value as Envelope;
}

/** {@link EnvelopeResponse} with its fast path. */
export const EnvelopeReader = withFastPath(EnvelopeResponse, fastEnvelope);
