/**
 * The run store's schema, as versions applied in order. The same SQL runs on SQLite and PostgreSQL: times are ISO
 * 8601 text in UTC (they sort as text), documents are JSON text (see json-codec). A migration only adds: it never
 * drops or rewrites data, so any older database upgrades without loss.
 */
export interface Migration {
  version: number;
  description: string;
  statements: readonly string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'runs and their events',
    statements: [
      `CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        run_trigger TEXT NOT NULL,
        symptom_text TEXT NOT NULL,
        symptom TEXT NOT NULL,
        service TEXT,
        playbook TEXT,
        status TEXT NOT NULL,
        channel TEXT,
        root_ts TEXT,
        thread_ts TEXT,
        user_id TEXT,
        alert TEXT,
        owner TEXT NOT NULL,
        started_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        finished_at TEXT,
        result TEXT,
        decision TEXT,
        undelivered INTEGER NOT NULL DEFAULT 0,
        next_seq INTEGER NOT NULL DEFAULT 0
      )`,
      'CREATE INDEX runs_channel_started ON runs (channel, started_at)',
      'CREATE INDEX runs_started ON runs (started_at)',
      'CREATE INDEX runs_status_updated ON runs (status, updated_at)',
      'CREATE INDEX runs_root ON runs (channel, root_ts)',
      'CREATE INDEX runs_thread ON runs (channel, thread_ts)',
      `CREATE TABLE run_events (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        type TEXT NOT NULL,
        at TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (run_id, seq)
      )`,
    ],
  },
  {
    version: 2,
    description: 'alert threads, their de-duplication keys, and keys claimed by one replica',
    statements: [
      `CREATE TABLE alert_threads (
        id TEXT PRIMARY KEY,
        channel TEXT NOT NULL,
        thread_ts TEXT,
        run_id TEXT,
        service TEXT,
        title TEXT NOT NULL,
        opened_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        status TEXT NOT NULL,
        firing TEXT NOT NULL
      )`,
      `CREATE TABLE alert_keys (
        alert_key TEXT PRIMARY KEY,
        thread_id TEXT NOT NULL REFERENCES alert_threads (id) ON DELETE CASCADE
      )`,
      'CREATE INDEX alert_keys_thread ON alert_keys (thread_id)',
      `CREATE TABLE claimed_keys (
        claim_key TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        expires_at TEXT NOT NULL
      )`,
      'CREATE INDEX claimed_keys_expiry ON claimed_keys (expires_at)',
    ],
  },
  {
    version: 3,
    description: 'the outbox: every message a run will post, in order, with its delivery state',
    statements: [
      `CREATE TABLE outbox (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        channel TEXT NOT NULL,
        thread_ts TEXT,
        target_ts TEXT,
        payload TEXT NOT NULL,
        state TEXT NOT NULL,
        slack_ts TEXT,
        error TEXT,
        created_at TEXT NOT NULL,
        settled_at TEXT,
        PRIMARY KEY (run_id, seq)
      )`,
      'CREATE INDEX outbox_state ON outbox (state, run_id)',
      'ALTER TABLE runs ADD COLUMN outbox_seq INTEGER NOT NULL DEFAULT 0',
      'ALTER TABLE runs ADD COLUMN delivery_open INTEGER NOT NULL DEFAULT 0',
      'ALTER TABLE runs ADD COLUMN settles_to TEXT',
    ],
  },
  {
    version: 4,
    description: 'slash commands recorded before they are acknowledged, until their run starts',
    statements: [
      `CREATE TABLE commands (
        id TEXT PRIMARY KEY,
        channel TEXT NOT NULL,
        user_id TEXT NOT NULL,
        team_id TEXT,
        command_text TEXT NOT NULL,
        symptom TEXT NOT NULL,
        response_url TEXT,
        received_at TEXT NOT NULL,
        status TEXT NOT NULL,
        owner TEXT NOT NULL,
        session TEXT NOT NULL,
        updated_at TEXT NOT NULL
      )`,
      'CREATE INDEX commands_status_updated ON commands (status, updated_at)',
      'CREATE INDEX commands_received ON commands (received_at)',
    ],
  },
];

export const LATEST_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

export const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  description TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`;
