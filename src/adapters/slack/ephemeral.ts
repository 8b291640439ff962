import { type Redactor, redactDeep } from '../../domain/redaction/redact.js';
import { truncate } from './mrkdwn.js';

/** The most text an ephemeral answer carries (Slack's section limit; channel posts are clipped the same way). */
export const EPHEMERAL_TEXT_MAX = 3000;
/** The most of the user's own words an answer quotes back. */
export const QUOTE_MAX = 200;

/** An ephemeral answer (a string or message arguments) redacted and clipped like a channel post. */
export function cleanEphemeral<T>(message: T, redactor: Redactor): T {
  if (typeof message === 'string') return truncate(redactor(message), EPHEMERAL_TEXT_MAX) as T;
  if (message === null || typeof message !== 'object') return message;
  const clean = redactDeep(message, redactor) as Record<string, unknown>;
  if (typeof clean.text === 'string') return { ...clean, text: truncate(clean.text, EPHEMERAL_TEXT_MAX) } as T;
  return clean as T;
}

/** Wraps Bolt's `ack` or `respond` so every answer it sends is redacted and clipped. */
export function guardEphemeral<F extends (...args: never[]) => Promise<unknown>>(send: F, redactor: Redactor): F {
  return ((...args: Parameters<F>) => {
    const [message, ...rest] = args;
    return send(...([message === undefined ? message : cleanEphemeral(message, redactor), ...rest] as Parameters<F>));
  }) as F;
}
