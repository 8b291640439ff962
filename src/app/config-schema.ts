import { z } from 'zod';
import { SEVERITIES } from '../domain/alerts/alert.js';
import { parseDurationSeconds } from '../domain/duration.js';
import { ConfigError } from '../domain/errors.js';

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const channelList = optionalText.pipe(
  z
    .string()
    .transform((text, ctx) => {
      const ids = text.split(/[\s,]+/).filter((id) => id !== '');
      const bad = ids.filter((id) => !/^[CG][A-Z0-9]{6,}$/.test(id));
      if (bad.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `must list channel ids (C… or G…, from the channel's "About" tab), not ${bad.map((b) => JSON.stringify(b)).join(', ')}`,
        });
        return z.NEVER;
      }
      return [...new Set(ids)];
    })
    .optional(),
);

/** A comma- or space-separated list of Slack ids matching `pattern`. */
const idList = (pattern: RegExp, what: string) =>
  optionalText.pipe(
    z
      .string()
      .transform((text, ctx) => {
        const ids = text.split(/[\s,]+/).filter((id) => id !== '');
        const bad = ids.filter((id) => !pattern.test(id));
        if (bad.length > 0) {
          ctx.addIssue({
            code: 'custom',
            message: `must list ${what}, not ${bad.map((b) => JSON.stringify(b)).join(', ')}`,
          });
          return z.NEVER;
        }
        return [...new Set(ids)];
      })
      .optional(),
  );

const channelId = optionalText.pipe(
  z
    .string()
    .regex(/^[CG][A-Z0-9]{6,}$/, 'must be a channel id (C… or G…, from the channel\'s "About" tab)')
    .optional(),
);

/**
 * A comma- or space-separated list of label names, in order (`TRIAGE_SERVICE_LABELS`, `--service-labels`);
 * returns the list, or a sentence saying what is wrong.
 */
export function parseLabelList(text: string): string[] | string {
  const names = text.split(/[\s,]+/).filter((n) => n !== '');
  if (names.length === 0) return 'must list at least one label name, e.g. service,job,app';
  const bad = names.filter((n) => !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(n));
  if (bad.length > 0)
    return `must list label names (letters, digits and "_"), not ${bad.map((b) => JSON.stringify(b)).join(', ')}`;
  return [...new Set(names)];
}

const labelList = optionalText.pipe(
  z
    .string()
    .transform((text, ctx) => {
      const parsed = parseLabelList(text);
      if (typeof parsed === 'string') {
        ctx.addIssue({ code: 'custom', message: parsed });
        return z.NEVER;
      }
      return parsed;
    })
    .optional(),
);

/** A duration such as `1h`, `30m` or `1h30m`, in milliseconds. */
const duration = (fallback: string) =>
  z
    .string()
    .trim()
    .default(fallback)
    .transform((text, ctx) => {
      const seconds = parseDurationSeconds(text);
      if (seconds === null) {
        ctx.addIssue({ code: 'custom', message: 'must be a duration such as 30m, 1h or 1h30m' });
        return z.NEVER;
      }
      return seconds * 1000;
    });

/** A whole number from `min` to `max` (digits only: "3000", not "3e3", "80.5" or "eighty"). */
const wholeNumber = (min: number, max: number, fallback: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined || text === '') return fallback;
      const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
      if (!Number.isSafeInteger(value) || value < min || value > max) {
        const range = max >= Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`;
        ctx.addIssue({ code: 'custom', message: `must be a whole number ${range}` });
        return z.NEVER;
      }
      return value;
    });

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** An http(s) base URL; `what` names it for a missing required value, `example` shows one. */
const httpUrl = (what: string, example: string) =>
  z
    .string({ error: `is required: ${what}, e.g. ${example}` })
    .trim()
    .refine((v) => v !== '', `is required: ${what}, e.g. ${example}`)
    .refine((v) => v === '' || isHttpUrl(v), `must be an http(s) URL such as ${example}`);

const optionalHttpUrl = (example: string) =>
  optionalText.pipe(z.string().refine(isHttpUrl, `must be an http(s) URL such as ${example}`).optional());

/** `true` or `false` (also 1/0, yes/no); unset is `false`. */
const flag = optionalText.pipe(
  z
    .string()
    .toLowerCase()
    .transform((text, ctx) => {
      if (['true', '1', 'yes'].includes(text)) return true;
      if (['false', '0', 'no'].includes(text)) return false;
      ctx.addIssue({ code: 'custom', message: 'must be true or false' });
      return z.NEVER;
    })
    .optional(),
);

/** Every environment variable Triage reads, each with its rule and its message in plain words. */
export const EnvSchema = z.object({
  SLACK_BOT_TOKEN: z
    .string({ error: 'is required (the bot token, xoxb-…, from your Slack app\'s "OAuth & Permissions" page)' })
    .regex(/^xox[bp]-/, 'must be a bot token starting with xoxb-'),
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_APP_TOKEN: optionalText.pipe(
    z
      .string()
      .regex(/^xapp-/, 'must be an app-level token starting with xapp-')
      .optional(),
  ),
  SLACK_API_URL: optionalHttpUrl('https://slack.com/api/'),
  PORT: wholeNumber(0, 65535, 3000),
  PROMETHEUS_URL: httpUrl('the Prometheus base URL', 'http://prometheus:9090'),
  TRIAGE_TIMEZONE: optionalText.pipe(
    z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Paris').optional(),
  ),
  TRIAGE_PLAYBOOKS_DIR: optionalText,
  TRIAGE_SIGNALS_DIR: optionalText,
  TRIAGE_SERVICE_LABELS: labelList,
  TRIAGE_QUERY_TIMEOUT_MS: wholeNumber(1, Number.MAX_SAFE_INTEGER, 5000),
  TRIAGE_DEADLINE_MS: wholeNumber(1, Number.MAX_SAFE_INTEGER, 60_000),
  LOG_LEVEL: z
    .string()
    .trim()
    .toLowerCase()
    .default('info')
    .pipe(z.enum(['debug', 'info', 'warn', 'error'], { error: 'must be one of debug, info, warn, error' })),
  TRIAGE_SHUTDOWN_GRACE_MS: wholeNumber(0, 600_000, 25_000),
  LOKI_URL: optionalHttpUrl('http://loki:3100'),
  LOKI_TENANT: optionalText,
  LOKI_SERVICE_LABEL: optionalText,
  ELASTICSEARCH_URL: optionalHttpUrl('http://es:9200'),
  ELASTICSEARCH_INDEX: optionalText,
  ELASTICSEARCH_USERNAME: optionalText,
  ELASTICSEARCH_PASSWORD: optionalText,
  ELASTICSEARCH_API_KEY: optionalText,
  ELASTICSEARCH_SERVICE_FIELD: optionalText,
  ELASTICSEARCH_LEVEL_FIELD: optionalText,
  ELASTICSEARCH_MESSAGE_FIELD: optionalText,
  TRIAGE_REDACT_PATTERNS: optionalText.pipe(
    z
      .string()
      .transform((text, ctx) => parseRedactPatterns(text, ctx))
      .optional(),
  ),
  TRIAGE_REPLY_INTERVAL_MS: wholeNumber(0, Number.MAX_SAFE_INTEGER, 1100),
  TRIAGE_REPLY_BURST: wholeNumber(1, 10, 5),
  TRIAGE_CHARTS: flag,
  ALERT_CHANNELS: channelList,
  ALERT_WEBHOOK_CHANNEL: channelId,
  ALERT_WEBHOOK_TOKEN: optionalText.pipe(
    z.string().min(16, 'must be at least 16 characters (use a random secret)').optional(),
  ),
  ALERT_WEBHOOK_ALLOW_UNAUTHENTICATED: flag,
  ALERT_DEDUP_WINDOW: duration('1h'),
  ALERT_GROUP_WINDOW: duration('10m'),
  ALERT_MIN_SEVERITY: z
    .string()
    .trim()
    .toLowerCase()
    .default('warning')
    .pipe(z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')}` })),
  ALERT_QUEUE_MAX: wholeNumber(1, 10_000, 20),
  ALERT_CONCURRENCY: wholeNumber(1, 50, 2),
  TRIAGE_ALLOWED_TEAMS: idList(/^[TE][A-Z0-9]{6,}$/, 'workspace ids (T…) or organisation ids (E…)'),
  TRIAGE_ALLOWED_CHANNELS: idList(/^[CGD][A-Z0-9]{6,}$/, 'channel ids (C…, G… or D…)'),
  TRIAGE_ALLOWED_USERS: idList(/^[UWS][A-Z0-9]{6,}$/, 'user ids (U… or W…) and user group ids (S…)'),
  DATABASE_URL: optionalText.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a PostgreSQL URL such as postgres://triage:…@db:5432/triage')
      .optional(),
  ),
  TRIAGE_DB_PATH: optionalText,
  TRIAGE_RUN_RETENTION_DAYS: wholeNumber(0, 36_500, 90),
  TRIAGE_REPLICA_ID: optionalText.pipe(
    z
      .string()
      .regex(/^[\w.:@-]{1,100}$/, 'must be 1–100 letters, digits or . _ : @ -, e.g. the pod name')
      .optional(),
  ),
});

/**
 * `TRIAGE_REDACT_PATTERNS`: a JSON array of regular expressions, e.g. `["ACME-[0-9]{6}", "cust_[a-z0-9]{12}"]`.
 * Each must compile; matches become `[redacted:custom]` everywhere Triage writes.
 */
export function parseRedactPatterns(text: string, ctx?: z.RefinementCtx): string[] {
  const fail = (message: string): string[] => {
    if (ctx) {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
    throw new ConfigError(`TRIAGE_REDACT_PATTERNS ${message}`);
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail('must be a JSON array of regular expressions, e.g. ["ACME-[0-9]{6}"]');
  }
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v !== '')) {
    return fail('must be a JSON array of non-empty strings');
  }
  for (const source of value as string[]) {
    try {
      new RegExp(source, 'g');
    } catch {
      return fail(`has a pattern that is not a valid regular expression: ${JSON.stringify(source)}`);
    }
  }
  return value as string[];
}
