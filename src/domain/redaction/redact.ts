/**
 * One redaction pass shared by every output path (Slack messages, CLI text, JSON reports, logs).
 *
 * Secrets are replaced by a marker naming their kind, `[redacted:<kind>]`, keeping the surrounding text
 * (`Authorization: Bearer [redacted:bearer]`, `password=[redacted:secret-field]`). Every pattern is written so
 * that matching stays linear in the input: match starts are pinned with look-behinds (one start per run of
 * candidate characters), and no two adjacent quantifiers can consume the same characters.
 *
 * Vendor token formats (Stripe, GitHub, Datadog…) live in vendor-tokens.ts and are caught wherever they stand.
 *
 * Pure: no I/O, no node:* imports.
 */

import { redactCardRun } from './card-numbers.js';
import { vendorFormatMayMatch, vendorMatchIsSecret } from './vendor-checks.js';
import { VENDOR_FORMATS, VENDOR_KINDS, type VendorFormat, type VendorKind } from './vendor-tokens.js';

export type SecretKind =
  | 'bearer'
  | 'authorization'
  | 'slack-token'
  | 'aws-access-key'
  | 'aws-secret-key'
  | 'private-key'
  | 'jwt'
  | 'url-password'
  | 'secret-field'
  | 'email'
  | 'card'
  | 'custom'
  | VendorKind;

/** The built-in marker kinds other than vendor formats (`custom` marks configured extra patterns). */
export const GENERIC_KINDS = [
  'bearer',
  'authorization',
  'slack-token',
  'aws-access-key',
  'aws-secret-key',
  'private-key',
  'jwt',
  'url-password',
  'secret-field',
  'email',
  'card',
  'custom',
] as const satisfies readonly SecretKind[];

/** Every marker kind the redactor can write. */
export const REDACTION_KINDS: readonly SecretKind[] = [...GENERIC_KINDS, ...VENDOR_KINDS];

export interface ExtraPattern {
  /** Marker kind; lower-cased, anything outside `[a-z0-9-]` becomes `-`. Defaults to `custom`. */
  readonly kind?: string;
  /** A RegExp, or a string holding a regular-expression source. The whole match is replaced. */
  readonly pattern: RegExp | string;
}

export interface RedactorOptions {
  readonly extraPatterns?: readonly ExtraPattern[];
}

export type Redactor = (text: string) => string;

/** The marker that replaces a secret of the given kind. */
export function redactionMarker(kind: SecretKind | (string & {})): string {
  return `[redacted:${kind}]`;
}

const MARKER_SPLIT = /(\[redacted:[a-z0-9-]+\])/;
const ONLY_MARKERS = /^(?:\s*\[redacted:[a-z0-9-]+\])+\s*$/;

/** Key names (after lower-casing and dropping `-`, `_`, `.`) that name a secret when they end a field name. */
const SECRET_KEY_SUFFIXES = [
  'password',
  'passwd',
  'passphrase',
  'pwd',
  'secret',
  'token',
  'apikey',
  'accesskey',
  'privatekey',
  'secretkey',
  'signingkey',
  'encryptionkey',
  'auth',
  'credential',
  'credentials',
  'session',
  'sessionid',
  'sessionkey',
  'cookie',
] as const;

/**
 * Whether a field name looks like it holds a secret: `password`, `DB_PASSWORD`, `x-api-key`, `accessToken`,
 * `client_secret`, `Set-Cookie`… Only the end of the name counts, so `token_bucket_size` or `password_reset_count`
 * are not secrets.
 */
export function isSecretFieldName(name: string): boolean {
  const norm = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  return SECRET_KEY_SUFFIXES.some((suffix) => norm.endsWith(suffix));
}

interface Rule {
  readonly kind: string;
  readonly pattern: RegExp;
  /**
   * Replacement for one match (with its tail, for two-stage rules), or undefined to leave it (the scan resumes one
   * character later, or after the head of a two-stage rule).
   */
  readonly replace: (m: RegExpExecArray, marker: string, tail?: RegExpExecArray) => string | undefined;
  /**
   * Two-stage rules: `pattern` matches a head (a field name and its separator); when `accept` takes it, the sticky
   * `pattern` here matches the value right after it, and the replacement covers head and value. A rejected head
   * costs only its own length, which keeps a run like `a=a=a=…` linear.
   */
  readonly tail?: { readonly accept: (m: RegExpExecArray) => boolean; readonly pattern: RegExp };
  /** Run over the whole text; by default a rule only sees the text between existing markers. */
  readonly raw?: boolean;
  /**
   * Whether the rule can match anywhere in the whole text; when false the rule is skipped. Only for rules whose
   * boundaries never involve `[` or `]`, so that a match between markers is also a match in the whole text.
   */
  readonly prefilter?: (text: string) => boolean;
}

/** A sticky regex's match at `index`, or null. */
function execAt(sticky: RegExp, text: string, index: number): RegExpExecArray | null {
  sticky.lastIndex = index;
  return sticky.exec(text);
}

function replaceMatches(text: string, rule: Rule): string {
  const re = rule.pattern;
  const marker = redactionMarker(rule.kind);
  re.lastIndex = 0;
  let out = '';
  let last = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const start = m.index;
    let end = start + m[0].length;
    let replacement: string | undefined;
    if (rule.tail !== undefined && m[0].length > 0) {
      const tail = rule.tail.accept(m) ? execAt(rule.tail.pattern, text, end) : null;
      replacement = tail === null ? undefined : rule.replace(m, marker, tail);
      if (replacement === undefined) {
        re.lastIndex = end;
        continue;
      }
      end += tail?.[0].length ?? 0;
    } else {
      replacement = m[0].length === 0 ? undefined : rule.replace(m, marker);
    }
    if (replacement === undefined) {
      re.lastIndex = start + 1;
      continue;
    }
    out += text.slice(last, start) + replacement;
    last = end;
    re.lastIndex = end;
  }
  return last === 0 ? text : out + text.slice(last);
}

function applyRule(text: string, rule: Rule): string {
  if (rule.prefilter !== undefined && !rule.prefilter(text)) return text;
  if (rule.raw || !text.includes('[redacted:')) return replaceMatches(text, rule);
  const parts = text.split(MARKER_SPLIT);
  // split with one capture group: even indexes are text, odd indexes are markers.
  return parts.map((part, i) => (i % 2 === 1 ? part : replaceMatches(part, rule))).join('');
}

const g = (i: number, m: RegExpExecArray): string => m[i] ?? '';

/**
 * One rule per vendor format. Keyword-gated formats run over the whole text (markers included) so that a keyword
 * still counts for a second token after the first one was replaced.
 */
function vendorRule(format: VendorFormat): Rule {
  return {
    kind: format.kind,
    pattern: new RegExp(format.pattern.source, format.pattern.flags),
    raw: format.keywords !== undefined,
    prefilter: (text) => vendorFormatMayMatch(format, text),
    replace: (m, marker) => {
      if (!vendorMatchIsSecret(format, m)) return undefined;
      const groups = m.groups;
      if (groups?.secret === undefined) return marker;
      return `${groups.pre ?? ''}${marker}${groups.post ?? ''}`;
    },
  };
}

const NON_SECRET_VALUES = /^(?:null|nil|none|undefined|true|false)$/i;

function builtinRules(): Rule[] {
  return [
    {
      kind: 'private-key',
      // Whole PEM block; a block cut short (no END line) loses its header and the base64 lines that follow.
      pattern:
        /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY(?: BLOCK)?-----(?:(?:(?!-----)[\s\S])*-----END \1PRIVATE KEY(?: BLOCK)?-----|(?:(?:\r?\n|\\r|\\n|[ \t])+[A-Za-z0-9+/=]{16,})*)/g,
      replace: (_m, marker) => marker,
    },
    {
      kind: 'authorization',
      pattern:
        /(?<![\w-])((?:proxy-)?authorization\\?["']?[ \t]*[:=][ \t]*(?:\\?["'[][ \t]*)?)(?:(bearer|basic|token|apikey|api-key|negotiate|ntlm)([ \t]+)([^\s"'\\,;\]]+)|(digest|aws4-hmac-sha256|hoba|mutual|scram-sha-256|vapid)([ \t]+)((?:[^\r\n"'\\\]]|"[^"\r\n]*")+)|([A-Za-z0-9+/=._~-]{16,}))/gi,
      replace: (m, marker) => {
        const head = g(1, m);
        if (m[2] !== undefined) {
          const kind = m[2].toLowerCase() === 'bearer' ? redactionMarker('bearer') : marker;
          return `${head}${m[2]}${g(3, m)}${kind}`;
        }
        if (m[5] !== undefined) return `${head}${m[5]}${g(6, m)}${marker}`;
        return /\d/.test(g(8, m)) ? `${head}${marker}` : undefined;
      },
    },
    {
      kind: 'secret-field',
      // Cookie headers carry several name=value pairs: the whole header value goes.
      pattern: /(?<![\w-])((?:set-)?cookie\\?["']?[ \t]*:[ \t]*(?:\\?["'][ \t]*)?)([^\r\n"'\\]+)/gi,
      replace: (m, marker) => (g(2, m).includes('=') ? `${g(1, m)}${marker}` : undefined),
    },
    // Vendor tokens come after the header rules (an Authorization header keeps its own marker) and before the generic
    // shapes (JWT, URL password, e-mail), so that `sk.eyJ…`, `ops_eyJ…` or a Sentry DSN get their vendor's marker.
    ...VENDOR_FORMATS.map(vendorRule),
    {
      kind: 'url-password',
      pattern: /(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s:/?#@]*:)([^\s/?#]+)@/g,
      replace: (m, marker) => `${g(1, m)}${marker}@`,
    },
    {
      kind: 'jwt',
      pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g,
      replace: (_m, marker) => marker,
    },
    {
      kind: 'bearer',
      pattern: /(?<![\w-])(bearer[ \t]+)([A-Za-z0-9._~+/-]+=*)/gi,
      // Outside an Authorization header, ask for something token-like so prose ("bearer checkout-7d9f") survives.
      replace: (m, marker) => {
        const token = g(2, m);
        const mixed = /\d/.test(token) || /[A-Z]/.test(token.slice(1)) || /[._~+/=]/.test(token);
        const tokenLike = (token.length >= 16 && mixed) || token.length >= 24;
        return tokenLike ? `${g(1, m)}${marker}` : undefined;
      },
    },
    {
      kind: 'slack-token',
      pattern: /(?<![A-Za-z0-9])(?:xox[abeoprs]-[A-Za-z0-9-]{8,}|xapp-\d-[A-Za-z0-9-]{8,})/g,
      replace: (_m, marker) => marker,
    },
    {
      kind: 'aws-access-key',
      pattern: /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/g,
      replace: (_m, marker) => marker,
    },
    {
      kind: 'aws-secret-key',
      pattern:
        /(?<![A-Za-z0-9])((?:aws[_-]?secret[_-]?(?:access[_-]?)?key|secret[_-]?access[_-]?key)\\?["']?[ \t]*[:=][ \t]*(?:\\?["'][ \t]*)?)([A-Za-z0-9/+=]{16,})/gi,
      replace: (m, marker) => `${g(1, m)}${marker}`,
    },
    {
      kind: 'secret-field',
      raw: true,
      // Two stages: the field name and its separator first, the value only after a secret-looking name. A value
      // may hold `=` and `:`, so matching it for every name would rescan the rest of `a=a=a=…` at each `a`.
      pattern: /(?<![\w.-])([A-Za-z_][\w.-]*)(\\?["']?[ \t]*[:=][ \t]*)/g,
      tail: {
        accept: (m) => isSecretFieldName(g(1, m)),
        pattern: /\\"([^"\\\r\n]*)\\"|"((?:[^"\\\r\n]|\\.)*)"|'([^'\r\n]*)'|((?!\[redacted:)[^\s"'`,;&<>{}()[\]\\]+)/y,
      },
      replace: (m, marker, value) => {
        if (value === undefined) return undefined;
        const head = `${g(1, m)}${g(2, m)}`;
        const quoted: [string | undefined, string][] = [
          [value[1], '\\"'],
          [value[2], '"'],
          [value[3], "'"],
        ];
        for (const [inner, quote] of quoted) {
          if (inner === undefined) continue;
          if (inner.trim() === '' || ONLY_MARKERS.test(inner)) return undefined;
          return `${head}${quote}${marker}${quote}`;
        }
        return NON_SECRET_VALUES.test(g(4, value)) ? undefined : `${head}${marker}`;
      },
    },
    {
      kind: 'email',
      pattern:
        /(?<![A-Za-z0-9._%+-])(?<!:\/\/)([A-Za-z0-9._%+-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})(?![A-Za-z0-9_%+@-]|\.[A-Za-z0-9_%+@-])/g,
      // `git@github.com:org/repo` is an SSH remote and `https://user@host` a URL's user name, not addresses.
      replace: (m, marker) => (g(1, m) === 'git' ? undefined : marker),
    },
    {
      kind: 'card',
      pattern: /(?<![\w.+])\d(?:[ -]?\d)*(?!\w)/g,
      // A run without a card is returned as is (not skipped), so the scan goes on after the whole run.
      replace: (m, marker) => (m[0].length < 13 ? m[0] : (redactCardRun(m[0], marker) ?? m[0])),
    },
  ];
}

function sanitizeKind(kind: string | undefined): string {
  const clean = (kind ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return clean === '' ? 'custom' : clean;
}

function extraRule(extra: ExtraPattern): Rule {
  const source = extra.pattern;
  const pattern =
    typeof source === 'string'
      ? new RegExp(source, 'g')
      : new RegExp(source.source, `${source.flags.replace(/[gy]/g, '')}g`);
  return { kind: sanitizeKind(extra.kind), pattern, replace: (_m, marker) => marker };
}

const MAX_PASSES = 4;
/** Strings up to this length have their redaction remembered, at most this many at a time. */
const MEMO_MAX_LENGTH = 256;
const MEMO_MAX_ENTRIES = 4096;

/** A redactor with the built-in detectors, followed by any extra patterns (applied between existing markers). */
export function createRedactor(options: RedactorOptions = {}): Redactor {
  const rules = [...builtinRules(), ...(options.extraPatterns ?? []).map(extraRule)];
  const pass = (text: string): string => {
    let out = text;
    for (const rule of rules) out = applyRule(out, rule);
    return out;
  };
  // Reports repeat the same short strings many times (statuses, label values, step ids): each is redacted once. The
  // redactor is a pure function of its input, so a remembered answer is the answer; the memo is bounded.
  const memo = new Map<string, string>();
  return (text: string): string => {
    const known = text.length <= MEMO_MAX_LENGTH ? memo.get(text) : undefined;
    if (known !== undefined) return known;
    // Removing a secret can change what surrounds another candidate; repeat until nothing changes. Each pass that
    // changes something strictly shrinks the text outside markers, and realistic input settles in one or two.
    let out = text;
    for (let i = 0; i < MAX_PASSES; i++) {
      const next = pass(out);
      if (next === out) break;
      out = next;
    }
    if (text.length <= MEMO_MAX_LENGTH) {
      if (memo.size >= MEMO_MAX_ENTRIES) memo.clear();
      memo.set(text, out);
    }
    return out;
  };
}

/** Redacts secrets with the built-in detectors. */
export const redact: Redactor = createRedactor();

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isSecretKey(key: string): boolean {
  return isSecretFieldName(key) || /^(?:proxy-)?authorization$/i.test(key);
}

/**
 * A copy of `value` with every string inside plain objects and arrays redacted. A string or number held under a
 * secret-looking key (`password`, `apiKey`, `authorization`…) is replaced by `[redacted:secret-field]` outright.
 * Other values (Dates, Maps, class instances) are kept as they are.
 */
export function redactDeep<T>(value: T, redactor: Redactor = redact): T {
  const seen = new WeakMap<object, unknown>();
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redactor(v);
    if (Array.isArray(v)) {
      const done = seen.get(v);
      if (done !== undefined) return done;
      const copy: unknown[] = [];
      seen.set(v, copy);
      for (const item of v) copy.push(walk(item));
      return copy;
    }
    if (isPlainObject(v)) {
      const done = seen.get(v);
      if (done !== undefined) return done;
      const copy: Record<string, unknown> = Object.getPrototypeOf(v) === null ? Object.create(null) : {};
      seen.set(v, copy);
      for (const [key, item] of Object.entries(v)) {
        const secret =
          isSecretKey(key) &&
          ((typeof item === 'string' && item !== '' && !ONLY_MARKERS.test(item)) || typeof item === 'number');
        copy[key] = secret ? redactionMarker('secret-field') : walk(item);
      }
      return copy;
    }
    return v;
  };
  return walk(value) as T;
}
