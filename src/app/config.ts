import { hostname } from 'node:os';
import type { Severity } from '../domain/alerts/alert.js';
import { ConfigError } from '../domain/errors.js';
import { redact } from '../domain/redaction/redact.js';
import { EnvSchema } from './config-schema.js';
import type { LogSourceConfig } from './create-log-source.js';

export { parseLabelList, parseRedactPatterns } from './config-schema.js';

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
    /** Draw the decisive evidence as PNG charts and upload them into the thread (default true). */
    charts: boolean;
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
      charts: e.TRIAGE_CHARTS ?? true,
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
