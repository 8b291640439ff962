import { z } from 'zod';

/**
 * The signals files (`signals/*.yml` and a team's own directory): what each signal means, and the metric
 * conventions that provide it. A convention is written once, in the terms of its exporter (the request counter,
 * the status label, the latency histogram and its unit), and Triage derives every signal's query from it; a raw
 * `provides` entry covers whatever the typed forms do not.
 */

export const UNITS = ['ratio', 'seconds', 'bytes', 'count', 'per_second', 'per_hour', 'cores'] as const;
export const REDUCES = ['max', 'min', 'last', 'mean'] as const;
/** Units a latency histogram or timer may be recorded in; values are divided into seconds. */
export const TIME_UNITS = ['seconds', 'milliseconds', 'microseconds', 'nanoseconds'] as const;
export type TimeUnit = (typeof TIME_UNITS)[number];

export const SIGNAL_ID = /^[a-z][a-z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const signalId = z.string().regex(SIGNAL_ID, 'signal ids are lower-case words joined by "_" (e.g. http_5xx_ratio)');
const conventionId = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, 'convention ids are lower-case words joined by "-" (e.g. ingress-nginx)')
  .max(64);
const metricName = z.string().regex(METRIC_NAME, 'a metric name: letters, digits, "_" and ":"');
/** A family a query needs: a metric name, or `*suffix` for any family ending so (`*_build_info`). */
const familyPattern = z
  .string()
  .regex(/^(?:\*[a-zA-Z0-9_:]+|[a-zA-Z_:][a-zA-Z0-9_:]*)$/, 'a metric name, or "*" and a suffix such as *_build_info');
const labelName = z.string().regex(LABEL_NAME, 'a label name: letters, digits and "_"');
const labelNames = z.array(labelName).min(1);
/** Extra label matchers written into every selector of the convention, e.g. `reporter="destination"`. */
const matchers = z
  .string()
  .min(1)
  .regex(/^[^{}]*$/, 'matchers go without braces, e.g. reporter="destination",direction="inbound"');

export const SignalDefinitionSchema = z.strictObject({
  id: signalId,
  title: z.string().min(1).max(120),
  unit: z.enum(UNITS),
  /** How the window's points become one value. */
  reduce: z.enum(REDUCES),
  /** Which way is bad. */
  direction: z.enum(['up', 'down']),
  /** `service`: the service's own series; `dependency`: each data store, cache or queue the service uses. */
  scope: z.enum(['service', 'dependency']).default('service'),
  /** Labels whose values name the worst series (the route, the failing peer). */
  detail: z.array(labelName).optional(),
  description: z.string().max(500).optional(),
});
export type SignalDefinition = z.infer<typeof SignalDefinitionSchema>;

/** One raw way to compute a signal. See `SignalVariant` for the template's `$` words. */
export const ProvidedVariantSchema = z.strictObject({
  requires: z.array(familyPattern).min(1),
  query: z.string().min(1),
  note: z.string().max(300).optional(),
  /** Labels that may carry the service on the first required family, best first (default: any search label). */
  labels: labelNames.optional(),
  /** Lower is tried first; default the convention's priority. */
  priority: z.number().int().min(0).max(1000).optional(),
});
export type ProvidedVariant = z.infer<typeof ProvidedVariantSchema>;

/** How a status label writes its values. */
export const STATUS_FORMATS = ['code', 'class', 'grpc'] as const;
export type StatusFormat = (typeof STATUS_FORMATS)[number];

const StatusSchema = z.strictObject({
  /** The label holding the status; several when versions of an exporter differ (tried in order, joined by `or`). */
  label: z.union([labelName, labelNames]),
  /** `code`: "503"; `class`: "5xx" (or "5"); `grpc`: gRPC codes by name or number ("Unavailable", "14"). */
  format: z.enum(STATUS_FORMATS).default('code'),
});

const LatencySchema = z.union([
  z.strictObject({
    /** A histogram's base name: `<name>_bucket`, `<name>_sum` and `<name>_count` exist. */
    histogram: metricName,
    unit: z.enum(TIME_UNITS),
  }),
  z.strictObject({
    /** A timer or summary's base name: `<name>_sum` and `<name>_count` exist (no buckets). */
    mean: metricName,
    /** A gauge of the largest recent duration (Micrometer's `_max`), used for the worst case. */
    max: metricName.optional(),
    unit: z.enum(TIME_UNITS),
  }),
]);

export const ServerSchema = z.strictObject({
  /** The counter of requests handled (or a histogram's `_count`). */
  requests: metricName,
  matchers: matchers.optional(),
  status: StatusSchema,
  latency: LatencySchema.optional(),
  /** The labels naming the route or handler, for "errors from one route" (absent ones are simply empty). */
  route: z.union([labelName, labelNames]).optional(),
});
export type ServerConvention = z.infer<typeof ServerSchema>;

export const ClientSchema = z.strictObject({
  /** The counter of outbound calls (or a histogram's `_count`). */
  calls: metricName,
  matchers: matchers.optional(),
  /** Labels naming the callee (`server_address`, `client_name`, `destination_workload`), best first. */
  peer: labelNames,
  status: StatusSchema,
  /** Matchers that select failed calls instead of the status' 5xx (e.g. `status=~"5..|IO_ERROR"`). */
  failures: matchers.optional(),
  latency: LatencySchema.optional(),
});
export type ClientConvention = z.infer<typeof ClientSchema>;

const GaugeRefSchema = z.union([metricName, z.strictObject({ metric: metricName, matchers: matchers.optional() })]);

export const PoolSchema = z.strictObject({
  /** Connections in use. */
  used: GaugeRefSchema,
  /** The pool's maximum size. */
  max: GaugeRefSchema,
  /** Callers waiting for a connection. */
  pending: GaugeRefSchema.optional(),
  /** Counter of acquisitions that timed out. */
  timeouts: metricName.optional(),
  /** Labels that tell one pool from another on the same instance (e.g. `pool`, `pool_name`, `db_name`). */
  by: z.array(labelName).default([]),
});
export type PoolConvention = z.infer<typeof PoolSchema>;

export const ConventionSchema = z
  .strictObject({
    id: conventionId,
    title: z.string().min(1).max(200),
    description: z.string().max(1000).optional(),
    /** Lower is tried first when a service has several conventions for one signal; default 50. */
    priority: z.number().int().min(0).max(1000).optional(),
    /** Only for these services: a team's mapping of one service's own metric names. */
    services: z.array(z.string().min(1)).min(1).optional(),
    /** Labels that may carry the service on this convention's families, best first (default: any search label). */
    labels: labelNames.optional(),
    /** Where the names come from (a library's docs or code). */
    source: z.string().max(300).optional(),
    server: ServerSchema.optional(),
    client: ClientSchema.optional(),
    pool: PoolSchema.optional(),
    /** Raw variants, by signal id. */
    provides: z.record(signalId, z.union([ProvidedVariantSchema, z.array(ProvidedVariantSchema).min(1)])).optional(),
  })
  .refine((c) => c.server || c.client || c.pool || c.provides, {
    message: 'a convention needs at least one of "server", "client", "pool" or "provides"',
  });
export type Convention = z.infer<typeof ConventionSchema>;

/** A cause a team declares in YAML, next to the built-in taxonomy. */
export const CauseDefinitionSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z][a-z0-9-]*$/, 'cause ids are lower-case words joined by "-" (e.g. feature-flag)')
    .max(64),
  title: z.string().min(1).max(150),
  description: z.string().max(1000).optional(),
  mitigations: z.array(z.string().min(1).max(300)).default([]),
});
export type CauseDefinition = z.infer<typeof CauseDefinitionSchema>;

/** A service's dependency named by hand: a data store, cache or queue and the matchers that select its series. */
export const DependencyMappingSchema = z.strictObject({
  name: z.string().min(1).max(120),
  /** Label → value; the values are written as quoted literals. */
  match: z
    .record(labelName, z.string())
    .refine((m) => Object.keys(m).length > 0, { message: 'give one label at least' }),
});

export const ServiceMappingSchema = z.strictObject({
  service: z.string().min(1),
  /** Other names the service goes by in label values (e.g. a legacy job name). */
  aliases: z.array(z.string().min(1)).optional(),
  dependencies: z.array(DependencyMappingSchema).optional(),
});
export type ServiceMapping = z.infer<typeof ServiceMappingSchema>;

export const SignalsFileSchema = z.strictObject({
  version: z.literal(1),
  signals: z.array(SignalDefinitionSchema).optional(),
  conventions: z.array(ConventionSchema).optional(),
  causes: z.array(CauseDefinitionSchema).optional(),
  services: z.array(ServiceMappingSchema).optional(),
});
export type SignalsFile = z.infer<typeof SignalsFileSchema>;
