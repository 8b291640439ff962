import { randomUUID } from 'node:crypto';
import type {
  ClaimCommandsQuery,
  CommandStatus,
  NewCommand,
  StoredCommand,
} from '../../application/ports/run-store.js';
import { decodeJson, encodeJson } from './json-codec.js';
import { conditions, date, iso, placeholders, type Row, type SqlContext, text } from './sql-db.js';

/**
 * Slash commands, recorded as accepted before Slack is answered, so a command whose replica died before its run
 * started is claimed back by another.
 */
export class SqlCommands {
  /** This store's process: the commands it accepts are its own live work, never claimed back by itself. */
  private readonly session = randomUUID();

  private readonly sql: SqlContext;

  constructor(sql: SqlContext) {
    this.sql = sql;
  }

  async acceptCommand(command: NewCommand): Promise<StoredCommand> {
    const stored: StoredCommand = { ...command, status: 'accepted', updatedAt: this.sql.clock() };
    await this.sql.db.execute(
      `INSERT INTO commands (id, channel, user_id, team_id, command_text, symptom, response_url, received_at, status,
       owner, session, updated_at) VALUES (${placeholders(12)})`,
      [
        stored.id,
        stored.channel,
        stored.userId,
        stored.teamId,
        stored.text,
        encodeJson(stored.symptom),
        stored.responseUrl,
        iso(stored.receivedAt),
        stored.status,
        stored.owner,
        this.session,
        iso(stored.updatedAt),
      ],
    );
    return stored;
  }

  async settleCommand(id: string, status: Exclude<CommandStatus, 'accepted'>): Promise<StoredCommand | undefined> {
    const [row] = await this.sql.db.query(
      `UPDATE commands SET status = ?, response_url = NULL, updated_at = ? WHERE id = ? AND status = 'accepted'
       RETURNING *`,
      [status, iso(this.sql.clock()), id],
    );
    return row ? rowToCommand(row) : undefined;
  }

  async getCommand(id: string): Promise<StoredCommand | undefined> {
    const [row] = await this.sql.db.query('SELECT * FROM commands WHERE id = ?', [id]);
    return row ? rowToCommand(row) : undefined;
  }

  async claimCommands(query: ClaimCommandsQuery): Promise<StoredCommand[]> {
    const { where: which, params } = conditions([
      ['c.owner = ?', query.owner],
      ['c.updated_at < ?', query.staleBefore && iso(query.staleBefore)],
    ]);
    const candidates = await this.sql.db.query(
      `SELECT * FROM commands c WHERE c.status = 'accepted' AND c.session <> ? AND (${which.join(' OR ')})
       AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = c.id) ORDER BY c.received_at, c.id`,
      [this.session, ...params],
    );
    const claimed: StoredCommand[] = [];
    for (const candidate of candidates) {
      // Compare-and-set on the process that held it: of two replicas claiming at once, one changes the row and the
      // other's condition no longer holds (PostgreSQL re-checks it on the updated row; SQLite serialises writers).
      const [row] = await this.sql.db.query(
        `UPDATE commands SET owner = ?, session = ?, updated_at = ?
         WHERE id = ? AND session = ? AND status = 'accepted'
         AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = commands.id) RETURNING *`,
        [query.owner, this.session, iso(this.sql.clock()), String(candidate.id), String(candidate.session)],
      );
      if (row) claimed.push(rowToCommand(row));
    }
    return claimed;
  }
}

function rowToCommand(row: Row): StoredCommand {
  return {
    id: String(row.id),
    channel: String(row.channel),
    userId: String(row.user_id),
    teamId: text(row.team_id),
    text: String(row.command_text),
    symptom: decodeJson<StoredCommand['symptom']>(String(row.symptom)),
    responseUrl: text(row.response_url),
    receivedAt: date(row.received_at),
    status: String(row.status) as CommandStatus,
    owner: String(row.owner),
    updatedAt: date(row.updated_at),
  };
}
