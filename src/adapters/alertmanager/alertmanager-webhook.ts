import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AlertReceiver } from '../../application/alerts/alert-receiver.js';
import { parseAlertmanagerWebhook } from './parse-alertmanager-webhook.js';

export const ALERTMANAGER_WEBHOOK_PATH = '/alerts/alertmanager';

/** Alertmanager's payloads are small; `max_alerts` keeps even big groups far below this. */
const DEFAULT_MAX_BYTES = 1024 * 1024;

export interface AlertmanagerWebhookDeps {
  /** Where the alerts go (the alert channels' intake). */
  intake: AlertReceiver;
  /** The channel diagnosis threads go to. */
  channel: string;
  /** When set, every call must carry `Authorization: Bearer <token>`. */
  token?: string;
  maxBytes?: number;
  logger: { warn(obj: Record<string, unknown>, msg: string): void };
}

function answer(res: ServerResponse, status: number, body: Record<string, unknown>, headers = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Constant-time comparison of the Authorization header with the expected bearer token. */
function authorized(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return match?.[1] !== undefined && timingSafeEqual(digest(match[1].trim()), digest(token));
}

class TooLarge extends Error {}

function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        // Stop keeping it, but read it to the end so the 413 reaches the sender.
        req.off('data', onData);
        req.resume();
        chunks.length = 0;
        reject(new TooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * `POST /alerts/alertmanager`: Alertmanager's webhook (payload version 4). Answers 2xx as soon as the alert group is
 * recorded (the diagnosis runs afterwards), 4xx for a call that can never succeed (so Alertmanager does not retry
 * it), and 5xx only when Triage could not record it (Alertmanager retries those).
 */
export function alertmanagerWebhookHandler(deps: AlertmanagerWebhookDeps) {
  const maxBytes = deps.maxBytes ?? DEFAULT_MAX_BYTES;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (deps.token !== undefined && !authorized(req.headers.authorization, deps.token)) {
      req.resume();
      answer(
        res,
        401,
        { error: 'unauthorized', message: 'A valid "Authorization: Bearer <token>" header is required.' },
        {
          'WWW-Authenticate': 'Bearer realm="triage"',
        },
      );
      return;
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') {
      req.resume();
      answer(res, 415, {
        error: 'unsupported_media_type',
        message: 'Send the Alertmanager payload as application/json.',
      });
      return;
    }
    let raw: Buffer;
    try {
      raw = await readBody(req, maxBytes);
    } catch (err) {
      if (err instanceof TooLarge) {
        answer(res, 413, { error: 'payload_too_large', message: `The payload is over ${maxBytes} bytes.` });
        return;
      }
      answer(res, 400, { error: 'unreadable_body', message: 'The request body could not be read.' });
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      answer(res, 400, { error: 'invalid_json', message: 'The body is not valid JSON.' });
      return;
    }
    const parsed = parseAlertmanagerWebhook(body);
    if (!parsed.ok) {
      deps.logger.warn({ problems: parsed.problems.slice(0, 5) }, 'rejected a malformed Alertmanager payload');
      answer(res, 400, {
        error: 'invalid_payload',
        message: 'This is not an Alertmanager webhook payload (version 4).',
        problems: parsed.problems.slice(0, 20),
      });
      return;
    }
    try {
      const outcome = await deps.intake.accept({ notification: parsed.notification, channel: deps.channel });
      answer(res, 200, { status: 'accepted', outcome });
    } catch (err) {
      deps.logger.warn({ error: err instanceof Error ? err.message : String(err) }, 'could not record an alert group');
      answer(res, 503, { error: 'unavailable', message: 'The alert could not be recorded; Alertmanager will retry.' });
    }
  };
}
