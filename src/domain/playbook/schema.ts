import { z } from 'zod';
import { LOG_SIGNATURES, type LogSignatureName } from '../logs/signatures.js';
import { MOVED_MEANINGS, type MovedMeaning } from '../scan/name-meaning.js';
import type { SignalCatalog } from '../signals/signal.js';
import { SYMPTOM_KINDS } from '../symptom/symptom.js';

/** Outcome of one step, in the words of the JSON contract (causes.md). */
export const STEP_STATUSES = ['ok', 'warn', 'crit', 'no_data', 'errored', 'skipped'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

const id = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, 'ids are lower-case words joined by "-" (e.g. error-ratio)')
  .max(64);

const StatusSetSchema = z.union([z.enum(STEP_STATUSES), z.array(z.enum(STEP_STATUSES)).min(1)]);

/** A test on earlier steps' results, used by `when:` on steps and by hypothesis evidence rules. */
export type Condition =
  | { step: string; is?: StepStatus | StepStatus[]; above?: number; below?: number }
  | { log: LogSignatureName | LogSignatureName[] }
  | { moved: MovedMeaning | MovedMeaning[] }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

export const ConditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z
      .strictObject({
        step: id,
        is: StatusSetSchema.optional(),
        above: z.number().optional(),
        below: z.number().optional(),
      })
      .refine((c) => c.is !== undefined || c.above !== undefined || c.below !== undefined, {
        message: 'a step condition needs "is", "above" or "below"',
      }),
    z.strictObject({ log: z.union([z.enum(LOG_SIGNATURES), z.array(z.enum(LOG_SIGNATURES)).min(1)]) }),
    z.strictObject({ moved: z.union([z.enum(MOVED_MEANINGS), z.array(z.enum(MOVED_MEANINGS)).min(1)]) }),
    z.strictObject({ all: z.array(ConditionSchema).min(1) }),
    z.strictObject({ any: z.array(ConditionSchema).min(1) }),
    z.strictObject({ not: ConditionSchema }),
  ]),
) as z.ZodType<Condition>;

const LevelsSchema = z
  .strictObject({ warn: z.number().optional(), crit: z.number().optional() })
  .refine((l) => l.warn !== undefined || l.crit !== undefined, { message: 'give "warn", "crit" or both' });

const StepBaseSchema = {
  id,
  title: z.string().min(1).max(120),
  /** Run only when this holds on earlier steps; otherwise the step is `skipped`. */
  when: ConditionSchema.optional(),
  /** Absolute thresholds on the value. */
  thresholds: LevelsSchema.optional(),
  /** Factors against the baseline (value ÷ baseline for `up`, baseline ÷ value for `down`). */
  change: LevelsSchema.optional(),
  /** Which way is bad; default `up`. */
  direction: z.enum(['up', 'down']).optional(),
  /** How the window's points become one value; default from the signal. */
  reduce: z.enum(['max', 'min', 'last', 'mean']).optional(),
  /** Shown under the evidence: what this step means for a human. */
  explain: z.string().max(500).optional(),
};

export const MetricStepSchema = z
  .strictObject({
    ...StepBaseSchema,
    kind: z.literal('metric').default('metric'),
    /** A signal from the catalogue, resolved per metric convention. */
    signal: z.string().optional(),
    /**
     * Raw PromQL for one convention: `$service` is replaced by the service matcher (label="value", quoted),
     * `$window` by the window length, `$rate` by the rate range. Needs `requires`.
     */
    query: z.string().optional(),
    /** Metric families the raw query needs; the step reports no data when the service lacks one. */
    requires: z.array(z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/)).optional(),
    unit: z.enum(['ratio', 'seconds', 'bytes', 'count', 'per_second', 'per_hour', 'cores']).optional(),
    /**
     * Whose metrics the signal is read on: the service (default), or the services it calls (found from its client
     * or mesh metrics, or a mapping), each read as a service on its own metrics; the worst one is the evidence.
     */
    of: z.enum(['service', 'callees']).optional(),
  })
  .refine((s) => (s.signal === undefined) !== (s.query === undefined), {
    message: 'a metric step needs exactly one of "signal" or "query"',
  })
  .refine((s) => s.query === undefined || (s.requires?.length ?? 0) > 0, {
    message: 'a step with a raw "query" must list the metric families it "requires"',
    path: ['requires'],
  });

/** A step over the log store: the error count against its baseline, or the top error patterns. */
export const LogStepSchema = z.strictObject({
  ...StepBaseSchema,
  kind: z.literal('logs'),
  measure: z.enum(['error-count', 'patterns']),
});

/**
 * "What moved": every metric family that belongs to the service (its own, its other workloads', its stores', and
 * those named after it), read at the window and at its baseline, ranked by how far it moved.
 */
export const ScanStepSchema = z.strictObject({
  ...StepBaseSchema,
  kind: z.literal('scan'),
  /** Movers shown as evidence. */
  top: z.number().int().min(1).max(20).default(5),
  /** Most families read in one run; the rest are counted and said to be left out. */
  maxFamilies: z.number().int().min(10).max(5000).default(400),
});

export const StepSchema = z.union([LogStepSchema, ScanStepSchema, MetricStepSchema]);
export type Step = z.infer<typeof StepSchema>;
export type MetricStep = z.infer<typeof MetricStepSchema>;
export type LogStep = z.infer<typeof LogStepSchema>;
export type ScanStep = z.infer<typeof ScanStepSchema>;

export const STRENGTHS = ['weak', 'moderate', 'strong', 'decisive'] as const;
export type Strength = (typeof STRENGTHS)[number];

export const EvidenceRuleSchema = z
  .strictObject({
    when: ConditionSchema,
    supports: z.enum(STRENGTHS).optional(),
    against: z.enum(STRENGTHS).optional(),
    /** The sentence shown in the ledger when this rule fires. */
    because: z.string().min(1).max(300),
  })
  .refine((r) => (r.supports === undefined) !== (r.against === undefined), {
    message: 'a rule either "supports" or is "against", not both',
  });
export type EvidenceRule = z.infer<typeof EvidenceRuleSchema>;

export const HypothesisSchema = z.strictObject({
  /** A cause of the taxonomy (causes.md) or one a team declared in a signals file; checked when composing. */
  cause: z.string().regex(/^[a-z][a-z0-9-]*$/, 'cause ids are lower-case words joined by "-" (e.g. app-error)'),
  title: z.string().min(1).max(150).optional(),
  /** Prior probability before any evidence; default 0.1. */
  prior: z.number().gt(0).lt(0.5).optional(),
  rules: z.array(EvidenceRuleSchema).default([]),
  mitigations: z.array(z.string().min(1).max(300)).default([]),
});
export type HypothesisSpec = z.infer<typeof HypothesisSchema>;

export const PlaybookSchema = z.strictObject({
  version: z.literal(1),
  id,
  /** `playbook` is runnable; `module` only provides steps and hypotheses to include. */
  kind: z.enum(['playbook', 'module']).default('playbook'),
  title: z.string().min(1).max(120),
  description: z.string().max(1000).optional(),
  /** Symptoms this playbook is for; the best match wins, `general` catches the rest. */
  match: z
    .strictObject({
      kinds: z.array(z.enum(SYMPTOM_KINDS)).default([]),
      codes: z.array(z.number().int().min(100).max(599)).default([]),
    })
    .optional(),
  /** Modules whose steps and hypotheses this playbook includes, in order. */
  include: z.array(id).default([]),
  steps: z.array(StepSchema).default([]),
  hypotheses: z.array(HypothesisSchema).default([]),
});
export type PlaybookFile = z.infer<typeof PlaybookSchema>;

/** A runnable playbook with its modules resolved: steps in order, one hypothesis per cause. */
export interface Playbook {
  id: string;
  title: string;
  description?: string;
  match: { kinds: string[]; codes: number[] };
  steps: Step[];
  hypotheses: HypothesisSpec[];
  /** Files it was built from, for messages. */
  sources: string[];
  /** The signal catalogue its steps were checked against and resolve through. */
  signals: SignalCatalog;
}
