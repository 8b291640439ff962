import { z } from 'zod';

/**
 * Zod schemas of the Elasticsearch / OpenSearch `_search` answer and error object (only the parts Triage reads).
 * `_source` stays loose: documents are whatever the shippers wrote, and the adapter reads fields by path.
 */

/** `hits.total`: `{value, relation}` since 7.0, or a plain integer (older servers, `rest_total_hits_as_int`). */
export const TotalHitsResponse = z.union([
  z.number().int().nonnegative(),
  z.object({ value: z.number().int().nonnegative(), relation: z.enum(['eq', 'gte']) }),
]);

export const HitResponse = z.object({
  _index: z.string().optional(),
  _id: z.string().optional(),
  _source: z.record(z.string(), z.unknown()).optional(),
  sort: z.array(z.unknown()).optional(),
});
export type Hit = z.infer<typeof HitResponse>;

const BucketsResponse = <K extends z.ZodType>(key: K) =>
  z.object({ buckets: z.array(z.object({ key, doc_count: z.number().int().nonnegative() })) });

export const SearchResponse = z.object({
  aggregations: z
    .object({
      per_step: BucketsResponse(z.number()).optional(),
      types: BucketsResponse(z.union([z.string(), z.number()])).optional(),
    })
    .optional(),
  took: z.number().optional(),
  timed_out: z.boolean().optional(),
  hits: z.object({
    total: TotalHitsResponse.optional(),
    hits: z.array(HitResponse),
  }),
});
export type Search = z.infer<typeof SearchResponse>;

const ErrorCauseResponse = z.object({ type: z.string(), reason: z.string().nullish() });

/** `{"error":{"root_cause":[…],"type":…,"reason":…},"status":400}`. */
export const ErrorResponse = z.object({
  error: z.union([
    ErrorCauseResponse.extend({
      root_cause: z.array(ErrorCauseResponse).optional(),
      caused_by: ErrorCauseResponse.optional(),
    }),
    z.string(),
  ]),
  status: z.number().int().optional(),
});
export type EsError = z.infer<typeof ErrorResponse>;
