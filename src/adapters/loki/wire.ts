import { z } from 'zod';
import { SamplePairSchema } from '../../domain/promql/sample-value.js';

/**
 * Zod schemas of the Loki HTTP API answers (`docs/sources/reference/loki-http-api.md`). Log timestamps arrive as
 * nanosecond strings and stay strings here (they do not fit a double); sample values become numbers.
 */

const LabelsResponse = z.record(z.string(), z.string());

/** A Unix time in nanoseconds, as a string of digits. */
export const NanosResponse = z.string().regex(/^\d{1,20}$/, 'not a nanosecond timestamp');

/**
 * One stream: `{"stream":{…},"values":[["<ns>","<line>"],…]}`. A third element (structured metadata, sent only when
 * categorized labels are asked for) is accepted and ignored.
 */
export const StreamResponse = z.object({
  stream: LabelsResponse,
  values: z.array(z.tuple([NanosResponse, z.string()], z.unknown())),
});
export type Stream = z.infer<typeof StreamResponse>;

/** `[<unix seconds>, "<value>"]`, the value as a number. */
const SamplePairResponse = SamplePairSchema;

/** One series of a matrix (metric range query). */
export const MatrixSeriesResponse = z.object({ metric: LabelsResponse, values: z.array(SamplePairResponse) });

/** One element of a vector (metric instant query). */
export const VectorSampleResponse = z.object({ metric: LabelsResponse, value: SamplePairResponse });

/** `data` of `/loki/api/v1/query` and `/loki/api/v1/query_range`; `stats` is always there and not read. */
export const QueryDataResponse = z.discriminatedUnion('resultType', [
  z.object({ resultType: z.literal('streams'), result: z.array(StreamResponse), stats: z.unknown().optional() }),
  z.object({ resultType: z.literal('matrix'), result: z.array(MatrixSeriesResponse), stats: z.unknown().optional() }),
  z.object({ resultType: z.literal('vector'), result: z.array(VectorSampleResponse), stats: z.unknown().optional() }),
]);
export type QueryData = z.infer<typeof QueryDataResponse>;

/** A successful answer; Loki reports errors as plain-text bodies with a 4xx/5xx status, never in this envelope. */
export const EnvelopeResponse = z.object({ status: z.literal('success'), data: QueryDataResponse });
