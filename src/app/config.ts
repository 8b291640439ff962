import { hostname } from 'node:os';
import { z } from 'zod';
import { SEVERITIES, type Severity } from '../domain/alerts/alert.js';
import { parseDurationSeconds } from '../domain/duration.js';
import { ConfigError } from '../domain/errors.js';
import { redact } from '../domain/redaction/redact.js';
import type { LogSourceConfig } from './create-log-source.js';

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

const EnvSchema = z.object({
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
  TRIAGE_REPLY_BURST: wholeNumber(1, 10, 3),
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

/** A problem with one variable: what is wrong, in words (the formatter adds the value, masked). */
interface ConfigProblem {
  variable: string;
  message: string;
}

const isSet = (v: string | undefined): boolean => v !== undefined && v.trim() !== '';

/**
 * Rules that involve several variables. They read the raw environment, so they are reported together with every
 * single-variable problem (zod skips an object's refinements once a field has failed).
 */
function crossChecks(env: NodeJS.ProcessEnv): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (!isSet(env.SLACK_APP_TOKEN) && !isSet(env.SLACK_SIGNING_SECRET)) {
    problems.push({
      variable: 'SLACK_SIGNING_SECRET',
      message:
        'is required for the HTTP receiver ("Basic Information" → Signing Secret), or set SLACK_APP_TOKEN to use Socket Mode',
    });
  }
  if (isSet(env.ALERT_WEBHOOK_TOKEN) && !isSet(env.ALERT_WEBHOOK_CHANNEL)) {
    problems.push({
      variable: 'ALERT_WEBHOOK_CHANNEL',
      message: 'is required when ALERT_WEBHOOK_TOKEN is set: it is the channel the webhook opens threads in',
    });
  }
  const open = ['true', '1', 'yes'].includes((env.ALERT_WEBHOOK_ALLOW_UNAUTHENTICATED ?? '').trim().toLowerCase());
  if (isSet(env.ALERT_WEBHOOK_CHANNEL) && !isSet(env.ALERT_WEBHOOK_TOKEN) && !open) {
    problems.push({
      variable: 'ALERT_WEBHOOK_TOKEN',
      message:
        'is required when ALERT_WEBHOOK_CHANNEL is set, so only your Alertmanager can open threads (a random secret of 16+ characters, sent as "Authorization: Bearer …"); to run the webhook open on a trusted network, set ALERT_WEBHOOK_ALLOW_UNAUTHENTICATED=true',
    });
  }
  return problems;
}

/** Variables whose values are secrets: shown only by their length in errors. */
const SECRET_VARIABLES = new Set([
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'ELASTICSEARCH_PASSWORD',
  'ELASTICSEARCH_API_KEY',
  'ALERT_WEBHOOK_TOKEN',
]);

/** The value as an error may show it: secrets masked, credentials in URLs hidden, long values cut. */
export function maskConfigValue(variable: string, value: string): string {
  if (SECRET_VARIABLES.has(variable)) return `${value.length} characters, masked`;
  const shown = redact(value.replace(/(\/\/[^/@\s:]*):[^/@\s]*@/g, '$1:***@'));
  return JSON.stringify(shown.length > 120 ? `${shown.slice(0, 119)}…` : shown);
}

function describeProblem(problem: ConfigProblem, env: NodeJS.ProcessEnv): string {
  const raw = env[problem.variable];
  if (raw === undefined || raw.trim() === '' || problem.message.includes(JSON.stringify(raw.trim()))) {
    return `  ${problem.variable} ${problem.message}`;
  }
  const masked = maskConfigValue(problem.variable, raw);
  return `  ${problem.variable} ${problem.message}; got ${SECRET_VARIABLES.has(problem.variable) ? `a value (${masked})` : masked}`;
}

/** Every environment variable Triage reads (the README's configuration table lists each). */
export const ENV_VARIABLES: readonly string[] = Object.keys(EnvSchema.shape);

export interface Config {
  slack: {
    botToken: string;
    signingSecret?: string;
    appToken?: string;
    apiUrl?: string;
    /** Spacing between posts to one channel after a burst (Slack allows about one per second). */
    replyIntervalMs: number;
    /** Posts a channel may receive at once before the spacing applies (Slack allows short bursts). */
    replyBurst: number;
  };
  port: number;
  prometheus: { url: string; timeoutMs: number };
  logs?: Omit<LogSourceConfig, 'timeoutMs'>;
  timeZone?: string;
  /** A team's playbooks, added to the built-ins (and replacing them by id). */
  playbooksDir?: string;
  /** A team's signals, conventions, causes and service mappings, added to the built-ins the same way. */
  signalsDir?: string;
  /** Labels searched for the service's name, in order; default `DEFAULT_SERVICE_LABELS`. */
  serviceLabels?: readonly string[];
  /** Extra regular expressions to redact from every output, besides the known secret formats. */
  redactPatterns?: string[];
  deadlineMs: number;
  /** On SIGTERM, how long running diagnoses may go on before they are marked interrupted. */
  shutdownGraceMs: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  alerts: AlertConfig;
  store: StoreConfig;
  /** Who may use /diagnose, the buttons and mentions; empty lists restrict nothing. */
  access: { teams: readonly string[]; channels: readonly string[]; users: readonly string[] };
}

/** Where runs are kept: PostgreSQL when `databaseUrl` is set (replicas share it), else a SQLite file. */
export interface StoreConfig {
  databaseUrl?: string;
  sqlitePath: string;
  /** This process's name in the store: a restart with the same id marks its unfinished runs interrupted. */
  replicaId: string;
  /** Finished runs older than this many days are deleted, with their events; 0 keeps them all. */
  retentionDays: number;
}

/** The SQLite file used when neither TRIAGE_DB_PATH nor DATABASE_URL is set. */
export const DEFAULT_SQLITE_PATH = '.triage/triage.sqlite';

export interface AlertConfig {
  /** Channels watched for alert messages. */
  channels: readonly string[];
  /** Where `POST /alerts/alertmanager` opens threads; the route exists only when this is set. */
  webhookChannel?: string;
  /** Bearer token the webhook requires. */
  webhookToken?: string;
  /** The webhook runs without a token (ALERT_WEBHOOK_ALLOW_UNAUTHENTICATED=true); logged as a warning at start. */
  webhookUnauthenticated?: true;
  dedupeWindowMs: number;
  groupWindowMs: number;
  minSeverity: Severity;
  queueMax: number;
  concurrency: number;
}

/** Parses the environment once at start-up into a frozen Config, or throws ConfigError naming every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const parsed = EnvSchema.safeParse(env);
  const problems: ConfigProblem[] = [
    ...(parsed.success
      ? []
      : parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? 'environment'), message: i.message }))),
    ...crossChecks(env),
  ];
  if (!parsed.success || problems.length > 0) {
    const order = Object.keys(EnvSchema.shape);
    const unique = [...new Map(problems.map((p) => [`${p.variable} ${p.message}`, p])).values()].sort(
      (a, b) => order.indexOf(a.variable) - order.indexOf(b.variable),
    );
    const lines = unique.map((p) => describeProblem(p, env));
    const count = unique.length === 1 ? 'a configuration problem' : `${unique.length} configuration problems`;
    throw new ConfigError(
      `Triage cannot start: ${count}.\n${lines.join('\n')}\nSee the README's configuration table. To try Triage without Slack or Prometheus, run: npm run demo`,
    );
  }
  const e = parsed.data;
  const config: Config = {
    slack: {
      botToken: e.SLACK_BOT_TOKEN,
      ...(e.SLACK_SIGNING_SECRET ? { signingSecret: e.SLACK_SIGNING_SECRET } : {}),
      ...(e.SLACK_APP_TOKEN ? { appToken: e.SLACK_APP_TOKEN } : {}),
      ...(e.SLACK_API_URL ? { apiUrl: e.SLACK_API_URL } : {}),
      replyIntervalMs: e.TRIAGE_REPLY_INTERVAL_MS,
      replyBurst: e.TRIAGE_REPLY_BURST,
    },
    port: e.PORT,
    prometheus: { url: e.PROMETHEUS_URL, timeoutMs: e.TRIAGE_QUERY_TIMEOUT_MS },
    ...logConfigFrom(e),
    ...(e.TRIAGE_TIMEZONE ? { timeZone: e.TRIAGE_TIMEZONE } : {}),
    ...(e.TRIAGE_PLAYBOOKS_DIR ? { playbooksDir: e.TRIAGE_PLAYBOOKS_DIR } : {}),
    ...(e.TRIAGE_SIGNALS_DIR ? { signalsDir: e.TRIAGE_SIGNALS_DIR } : {}),
    ...(e.TRIAGE_SERVICE_LABELS ? { serviceLabels: Object.freeze(e.TRIAGE_SERVICE_LABELS) } : {}),
    ...(e.TRIAGE_REDACT_PATTERNS ? { redactPatterns: e.TRIAGE_REDACT_PATTERNS } : {}),
    deadlineMs: e.TRIAGE_DEADLINE_MS,
    shutdownGraceMs: e.TRIAGE_SHUTDOWN_GRACE_MS,
    logLevel: e.LOG_LEVEL,
    alerts: {
      channels: Object.freeze(e.ALERT_CHANNELS ?? []),
      ...(e.ALERT_WEBHOOK_CHANNEL ? { webhookChannel: e.ALERT_WEBHOOK_CHANNEL } : {}),
      ...(e.ALERT_WEBHOOK_TOKEN ? { webhookToken: e.ALERT_WEBHOOK_TOKEN } : {}),
      ...(e.ALERT_WEBHOOK_CHANNEL && !e.ALERT_WEBHOOK_TOKEN ? { webhookUnauthenticated: true } : {}),
      dedupeWindowMs: e.ALERT_DEDUP_WINDOW,
      groupWindowMs: e.ALERT_GROUP_WINDOW,
      minSeverity: e.ALERT_MIN_SEVERITY,
      queueMax: e.ALERT_QUEUE_MAX,
      concurrency: e.ALERT_CONCURRENCY,
    },
    access: Object.freeze({
      teams: Object.freeze(e.TRIAGE_ALLOWED_TEAMS ?? []),
      channels: Object.freeze(e.TRIAGE_ALLOWED_CHANNELS ?? []),
      users: Object.freeze(e.TRIAGE_ALLOWED_USERS ?? []),
    }),
    store: {
      ...(e.DATABASE_URL ? { databaseUrl: e.DATABASE_URL } : {}),
      sqlitePath: e.TRIAGE_DB_PATH ?? DEFAULT_SQLITE_PATH,
      replicaId: e.TRIAGE_REPLICA_ID ?? `${hostname()}:${e.PORT}`,
      retentionDays: e.TRIAGE_RUN_RETENTION_DAYS,
    },
  };
  Object.freeze(config.alerts);
  Object.freeze(config.store);
  Object.freeze(config.slack);
  Object.freeze(config.prometheus);
  return Object.freeze(config);
}

/** The log store settings from the environment (shared by the app and the CLI). */
export function logConfigFrom(e: {
  LOKI_URL?: string | undefined;
  LOKI_TENANT?: string | undefined;
  LOKI_SERVICE_LABEL?: string | undefined;
  ELASTICSEARCH_URL?: string | undefined;
  ELASTICSEARCH_INDEX?: string | undefined;
  ELASTICSEARCH_USERNAME?: string | undefined;
  ELASTICSEARCH_PASSWORD?: string | undefined;
  ELASTICSEARCH_API_KEY?: string | undefined;
  ELASTICSEARCH_SERVICE_FIELD?: string | undefined;
  ELASTICSEARCH_LEVEL_FIELD?: string | undefined;
  ELASTICSEARCH_MESSAGE_FIELD?: string | undefined;
}): { logs?: Omit<LogSourceConfig, 'timeoutMs'> } {
  if (e.LOKI_URL) {
    return {
      logs: {
        loki: {
          url: e.LOKI_URL,
          ...(e.LOKI_TENANT ? { tenant: e.LOKI_TENANT } : {}),
          ...(e.LOKI_SERVICE_LABEL ? { serviceLabel: e.LOKI_SERVICE_LABEL } : {}),
        },
      },
    };
  }
  if (e.ELASTICSEARCH_URL) {
    return {
      logs: {
        elasticsearch: {
          url: e.ELASTICSEARCH_URL,
          ...(e.ELASTICSEARCH_INDEX ? { index: e.ELASTICSEARCH_INDEX } : {}),
          ...(e.ELASTICSEARCH_USERNAME ? { username: e.ELASTICSEARCH_USERNAME } : {}),
          ...(e.ELASTICSEARCH_PASSWORD ? { password: e.ELASTICSEARCH_PASSWORD } : {}),
          ...(e.ELASTICSEARCH_API_KEY ? { apiKey: e.ELASTICSEARCH_API_KEY } : {}),
          ...(e.ELASTICSEARCH_SERVICE_FIELD ? { serviceField: e.ELASTICSEARCH_SERVICE_FIELD } : {}),
          ...(e.ELASTICSEARCH_LEVEL_FIELD ? { levelField: e.ELASTICSEARCH_LEVEL_FIELD } : {}),
          ...(e.ELASTICSEARCH_MESSAGE_FIELD ? { messageField: e.ELASTICSEARCH_MESSAGE_FIELD } : {}),
        },
      },
    };
  }
  return {};
}

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
