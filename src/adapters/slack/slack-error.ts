/** Where the Slack surface writes what went wrong. */
export interface ReporterLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
}

/** An error as safe, short text for logs: the Slack error code or message, never a token. */
export function describeSlackError(err: unknown): string {
  if (err && typeof err === 'object') {
    const data = (err as { data?: { error?: unknown } }).data;
    if (data && typeof data.error === 'string') return data.error;
    const code = (err as { code?: unknown }).code;
    const message = (err as { message?: unknown }).message;
    return [code, message]
      .filter((x) => typeof x === 'string')
      .join(': ')
      .replace(/xox[a-z]-[\w-]+/g, 'xox…');
  }
  return String(err);
}

/** Slack's answers that mean a token itself is refused (bot or app token alike): waiting will not change them. */
export const REFUSED_TOKEN_ERRORS = [
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'not_allowed_token_type',
  'no_permission',
] as const;
