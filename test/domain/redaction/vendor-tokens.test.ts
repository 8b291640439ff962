import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRedactor, REDACTION_KINDS, redact, redactionMarker } from '../../../src/domain/redaction/redact.js';
import { shannonEntropy } from '../../../src/domain/redaction/vendor-checks.js';
import {
  KEYWORD_WINDOW,
  VENDOR_FORMATS,
  VENDOR_KINDS,
  type VendorKind,
} from '../../../src/domain/redaction/vendor-tokens.js';
import { VENDOR_LOOK_ALIKES } from '../../fixtures/redaction/look-alikes.js';

// ---------------------------------------------------------------------------------------------------------------
// Fake tokens, built from pieces with a seeded generator so that this file holds no scanner-shaped literal.
// ---------------------------------------------------------------------------------------------------------------

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const HEX = `${DIGITS}abcdef`;
const AN = UPPER + LOWER + DIGITS;
const B64URL = `${AN}-_`;
const B64 = `${AN}+/`;
const BECH32 = 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L';

type Rand = (alphabet: string, length: number) => string;

/** mulberry32: a tiny deterministic generator, so every run sees the same fake tokens. */
function seededRand(seed: number): Rand {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return (alphabet, length) => {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(next() * alphabet.length)];
    return out;
  };
}

const cat = (...parts: string[]): string => parts.join('');

interface Example {
  readonly kind: VendorKind;
  /** What a log line carries. */
  readonly value: string;
  /** The part that must be gone (defaults to the whole value). */
  readonly secret?: string;
  /** The vendor keyword a keyword-gated format needs before the value. */
  readonly keyword?: string;
}

type Builder = (r: Rand) => Example;

/** One builder (or more) per vendor kind. */
const BUILDERS: Builder[] = [
  (r) => ({ kind: 'stripe-key', value: ['sk', 'live', r(AN, 24)].join('_') }),
  (r) => ({ kind: 'stripe-key', value: ['rk', 'live', r(AN, 99)].join('_') }),
  (r) => ({ kind: 'stripe-key', value: ['pk', 'live', r(AN, 24)].join('_') }),
  (r) => ({ kind: 'stripe-webhook-secret', value: cat('wh', 'sec_', r(AN, 32)) }),
  (r) => ({ kind: 'shopify-token', value: cat('shp', 'at_', r(HEX, 32)) }),
  (r) => ({ kind: 'square-token', value: cat('sq0', 'atp-', r(B64URL, 22)) }),
  (r) => ({ kind: 'square-token', value: cat('EA', 'AA', r(AN, 60)) }),
  (r) => ({ kind: 'github-token', value: cat('gh', 'p_', r(AN, 36)) }),
  (r) => ({ kind: 'github-token', value: cat('gh', 'o_', r(AN, 36)) }),
  (r) => ({ kind: 'github-token', value: cat('gh', 'u_', r(AN, 36)) }),
  (r) => ({ kind: 'github-token', value: cat('gh', 's_', r(AN, 36)) }),
  (r) => ({ kind: 'github-token', value: cat('gh', 'r_', r(AN, 36)) }),
  (r) => ({ kind: 'github-token', value: cat('github', '_pat_', r(AN, 22), '_', r(AN, 59)) }),
  (r) => ({ kind: 'gitlab-token', value: cat('gl', 'pat-', r(AN, 20)) }),
  (r) => ({ kind: 'npm-token', value: cat('np', 'm_', r(AN, 36)) }),
  (r) => ({ kind: 'pypi-token', value: cat('pypi-', 'AgEIcHlwaS5vcmc', r(B64URL, 70)) }),
  (r) => ({ kind: 'rubygems-key', value: cat('rubygems', '_', r(HEX, 48)) }),
  (r) => ({ kind: 'nuget-key', value: cat('oy', '2', r(LOWER + DIGITS, 43)) }),
  (r) => ({ kind: 'docker-hub-token', value: cat('dckr', '_pat_', r(AN, 27)) }),
  (r) => ({ kind: 'buildkite-token', value: cat('bk', 'ua_', r(HEX, 40)) }),
  (r) => ({ kind: 'circleci-token', value: cat('CCI', 'PAT_', r(AN, 22), '_', r(HEX, 40)) }),
  (r) => ({ kind: 'google-api-key', value: cat('AI', 'za', r(AN, 35)) }),
  (r) => ({ kind: 'google-oauth-token', value: cat('ya', '29.', r(AN, 60)) }),
  (r) => ({ kind: 'google-oauth-token', value: cat('GOC', 'SPX-', r(AN, 28)) }),
  (r) => ({ kind: 'aws-session-token', value: cat('IQoJ', 'b3JpZ2luX2Vj', r(B64, 200), '=') }),
  (r) => {
    const secret = cat(r(B64, 86), '==');
    return { kind: 'azure-storage-key', value: cat('Account', 'Key=', secret), secret };
  },
  (r) => {
    const secret = cat(r(AN, 43), '%3D');
    const value = cat('https://orders.blob.core.windows.net/exports/a.csv?sv=2022-11-02&sp=r&', 'sig=', secret);
    return { kind: 'azure-sas-token', value, secret };
  },
  (r) => ({ kind: 'azure-ad-client-secret', value: cat(r(AN, 3), '8Q', '~', r(AN, 34)) }),
  (r) => ({ kind: 'digitalocean-token', value: cat('do', 'p_v1_', r(HEX, 64)) }),
  (r) => ({ kind: 'alibaba-access-key', value: cat('LT', 'AI', r(AN, 20)) }),
  (r) => ({ kind: 'heroku-api-key', value: cat('HR', 'KU-', r(B64URL, 60)) }),
  (r) => ({
    kind: 'heroku-api-key',
    keyword: 'heroku api key',
    value: [r(HEX, 8), r(HEX, 4), r(HEX, 4), r(HEX, 4), r(HEX, 12)].join('-'),
  }),
  (r) => ({ kind: 'cloudflare-token', keyword: 'cloudflare token', value: r(AN, 40) }),
  (r) => ({ kind: 'terraform-token', value: cat(r(AN, 14), '.atlas', 'v1.', r(AN, 67)) }),
  (r) => ({ kind: 'vault-token', value: cat('hv', 's.', r(B64URL, 90)) }),
  (r) => ({ kind: 'vault-token', keyword: 'vault token', value: cat('s', '.', r(AN, 24)) }),
  (r) => ({ kind: 'pulumi-token', value: cat('pul', '-', r(HEX, 40)) }),
  (r) => ({ kind: 'doppler-token', value: cat('dp', '.pt.', r(AN, 43)) }),
  (r) => ({ kind: 'planetscale-token', value: cat('pscale', '_tkn_', r(AN, 43)) }),
  (r) => ({ kind: 'supabase-token', value: cat('sb', 'p_', r(HEX, 40)) }),
  (r) => ({ kind: 'databricks-token', value: cat('da', 'pi', r(HEX, 32)) }),
  (r) => ({ kind: 'datadog-api-key', keyword: 'datadog api key', value: r(HEX, 32) }),
  (r) => ({ kind: 'datadog-app-key', keyword: 'DD_APP_KEY', value: r(HEX, 40) }),
  (r) => {
    const secret = r(HEX, 32);
    return { kind: 'sentry-dsn', value: cat('https://', secret, '@o4504.ingest.sentry.io/4505123'), secret };
  },
  (r) => ({ kind: 'sentry-token', value: cat('sntry', 's_', r(AN, 80)) }),
  (r) => ({ kind: 'grafana-token', value: cat('gl', 'sa_', r(AN, 32), '_', r(HEX, 8)) }),
  (r) => ({ kind: 'grafana-token', value: cat('gl', 'c_', r(AN, 60)) }),
  (r) => ({ kind: 'newrelic-key', value: cat('NR', 'AK-', r(UPPER + DIGITS, 27)) }),
  (r) => ({ kind: 'dynatrace-token', value: cat('dt0', 'c01.', r(UPPER + DIGITS, 24), '.', r(UPPER + DIGITS, 64)) }),
  (r) => {
    const secret = cat('T', r(UPPER + DIGITS, 10), '/B', r(UPPER + DIGITS, 10), '/', r(AN, 24));
    return { kind: 'slack-webhook', value: cat('https://hooks.', 'slack.com/services/', secret), secret };
  },
  (r) => ({ kind: 'twilio-key', keyword: 'twilio', value: cat('S', 'K', r(HEX, 32)) }),
  (r) => ({ kind: 'twilio-key', keyword: 'twilio account', value: cat('A', 'C', r(HEX, 32)) }),
  (r) => ({ kind: 'sendgrid-api-key', value: cat('S', 'G.', r(B64URL, 22), '.', r(B64URL, 43)) }),
  (r) => ({ kind: 'mailgun-api-key', value: cat('key', '-', r(HEX, 32)) }),
  (r) => ({ kind: 'mailchimp-api-key', value: cat(r(HEX, 32), '-us', '21') }),
  (r) => ({ kind: 'brevo-key', value: cat('xkey', 'sib-', r(HEX, 64), '-', r(AN, 16)) }),
  (r) => ({ kind: 'discord-bot-token', value: cat('M', r(AN, 23), '.', r(AN, 6), '.', r(AN, 38)) }),
  (r) => {
    const secret = cat(r(DIGITS, 18), '/', r(AN, 68));
    return { kind: 'discord-webhook', value: cat('https://discord.com/api/', 'webhooks/', secret), secret };
  },
  (r) => ({ kind: 'telegram-bot-token', value: cat(r(DIGITS, 10), ':A', 'A', r(AN, 33)) }),
  (r) => ({ kind: 'anthropic-api-key', value: cat('sk', '-ant-', 'api03-', r(AN, 93), 'AA') }),
  (r) => ({ kind: 'openai-api-key', value: cat('sk', '-proj-', r(AN, 100)) }),
  (r) => ({ kind: 'openai-api-key', value: cat('sk', '-', r(AN, 20), 'T3Blbk', 'FJ', r(AN, 20)) }),
  (r) => ({ kind: 'huggingface-token', value: cat('h', 'f_', r(UPPER + LOWER, 34)) }),
  (r) => ({ kind: 'groq-api-key', value: cat('gs', 'k_', r(AN, 52)) }),
  (r) => ({ kind: 'replicate-token', value: cat('r', '8_', r(AN, 37)) }),
  (r) => ({ kind: 'perplexity-key', value: cat('pp', 'lx-', r(AN, 48)) }),
  (r) => ({ kind: 'atlassian-api-token', value: cat('ATA', 'TT3', r(B64URL, 180), '=', r(HEX, 8)) }),
  (r) => ({ kind: 'atlassian-api-token', keyword: 'jira api token', value: r(AN, 24) }),
  (r) => ({ kind: 'linear-api-key', value: cat('lin', '_api_', r(AN, 40)) }),
  (r) => ({ kind: 'postman-api-key', value: cat('PM', 'AK-', r(HEX, 24), '-', r(HEX, 34)) }),
  (r) => ({ kind: 'notion-token', value: cat('nt', 'n_', r(DIGITS, 11), r(AN, 35)) }),
  (r) => ({ kind: 'airtable-token', value: cat('pa', 't', r(AN, 14), '.', r(HEX, 64)) }),
  (r) => ({ kind: 'contentful-token', value: cat('CF', 'PAT-', r(AN, 43)) }),
  (r) => ({ kind: 'mapbox-token', value: cat('sk', '.eyJ', r(AN, 60), '.', r(AN, 22)) }),
  (r) => ({ kind: 'harness-token', value: cat('pa', 't.', r(AN, 22), '.', r(HEX, 24), '.', r(AN, 20)) }),
  (r) => ({ kind: 'onepassword-token', value: cat('op', 's_eyJ', r(B64, 300)) }),
  (r) => ({ kind: 'age-secret-key', value: cat('AGE-SECRET', '-KEY-1', r(BECH32, 58)) }),
  (r) => ({ kind: 'okta-token', keyword: 'okta api token', value: cat('0', '0', r(AN, 40)) }),
];

const EXAMPLES: Example[] = BUILDERS.map((build, i) => build(seededRand(1000 + i)));
const secretOf = (e: Example): string => e.secret ?? e.value;

/** The same token in free text, a JSON string, a URL query and a Python dict repr: [name, before, after]. */
function contexts(e: Example): [string, string, string][] {
  const kw = e.keyword ?? 'key';
  return [
    ['free text', `retrying with ${kw} `, ' then giving up'],
    ['JSON string', `{"level":"warn","msg":"retrying with ${kw} `, '","attempt":2}'],
    ['URL query', `GET https://api.example.com/v2/hook?vendor=${kw}&v=`, '&page=2 HTTP/1.1'],
    ['Python dict repr', `{'vendor': '${kw}', 'value': '`, "', 'attempt': 2}"],
  ];
}

const CASES = EXAMPLES.flatMap((e) =>
  contexts(e).map(([where, before, after]) => ({ name: `${e.kind} in ${where}`, e, before, after })),
);

describe('vendor formats', () => {
  it('prints the kind count', () => {
    const line = `redaction kinds: ${REDACTION_KINDS.length} (vendor formats: ${VENDOR_KINDS.length})`;
    console.log(line);
    expect(VENDOR_KINDS.length).toBeGreaterThanOrEqual(40);
    expect(new Set(REDACTION_KINDS).size).toBe(REDACTION_KINDS.length);
  });

  it('every vendor kind has an example, and every format catches one', () => {
    const covered = new Set(EXAMPLES.map((e) => e.kind));
    expect(VENDOR_KINDS.filter((k) => !covered.has(k))).toEqual([]);
    for (const format of VENDOR_FORMATS) {
      const caught = EXAMPLES.some((e) => {
        const re = new RegExp(format.pattern.source, format.pattern.flags);
        return e.kind === format.kind && re.test(e.value);
      });
      expect(caught, format.pattern.source).toBe(true);
    }
  });

  it('every example is random enough for its entropy gate', () => {
    for (const e of EXAMPLES) expect(shannonEntropy(secretOf(e))).toBeGreaterThan(3.5);
  });

  it.each(CASES)('$name: secret gone, surrounding words kept', ({ e, before, after }) => {
    const text = `${before}${e.value}${after}`;
    const out = redact(text);
    expect(out).not.toContain(secretOf(e));
    expect(out).toContain(redactionMarker(e.kind));
    expect(out.startsWith(before)).toBe(true);
    expect(out.endsWith(after)).toBe(true);
    expect(redact(out)).toBe(out);
  });

  it('the reported case: a Stripe live key after "retrying with key"', () => {
    const key = ['sk', 'live', seededRand(7)(AN, 24)].join('_');
    expect(redact(`payments: retrying with key ${key} (attempt 2)`)).toBe(
      'payments: retrying with key [redacted:stripe-key] (attempt 2)',
    );
  });

  it('keeps the non-secret parts of URLs and connection strings', () => {
    const r = seededRand(11);
    const account = cat('Account', 'Key=', r(B64, 86), '==');
    expect(redact(`DefaultEndpointsProtocol=https;AccountName=orders;${account};EndpointSuffix=core.windows.net`)).toBe(
      'DefaultEndpointsProtocol=https;AccountName=orders;AccountKey=[redacted:azure-storage-key];EndpointSuffix=core.windows.net',
    );
    const dsn = cat('https://', r(HEX, 32), '@o4504.ingest.sentry.io/4505123');
    expect(redact(`SENTRY_DSN ${dsn}`)).toBe('SENTRY_DSN https://[redacted:sentry-dsn]@o4504.ingest.sentry.io/4505123');
    const hook = cat('https://hooks.', 'slack.com/services/', 'T', r(UPPER, 10), '/B', r(UPPER, 10), '/', r(AN, 24));
    expect(redact(`posting to ${hook} failed`)).toBe(
      'posting to https://hooks.slack.com/services/[redacted:slack-webhook] failed',
    );
  });

  it('an Authorization header keeps its own marker', () => {
    const token = cat('gh', 'p_', seededRand(3)(AN, 36));
    expect(redact(`Authorization: Bearer ${token}`)).toBe('Authorization: Bearer [redacted:bearer]');
  });
});

describe('keyword-gated formats', () => {
  const r = seededRand(99);
  const hex32 = r(HEX, 32);
  const hex40 = r(HEX, 40);

  it('need their keyword on the same line, within the window', () => {
    expect(redact(`datadog api key ${hex32}`)).toBe('datadog api key [redacted:datadog-api-key]');
    expect(redact(`api key ${hex32}`)).toBe(`api key ${hex32}`);
    expect(redact(`datadog\napi key ${hex32}`)).toBe(`datadog\napi key ${hex32}`);
    const far = `datadog ${'x'.repeat(KEYWORD_WINDOW)} ${hex32}`;
    expect(redact(far)).toBe(far);
  });

  it('catch every token after one keyword, also after a first replacement', () => {
    expect(redact(`DD_API_KEY=${hex32} DD_APP_KEY=${hex40}`)).toBe(
      'DD_API_KEY=[redacted:datadog-api-key] DD_APP_KEY=[redacted:datadog-app-key]',
    );
  });

  it('skip values labelled as identifiers', () => {
    for (const label of ['trace_id=', 'span ', 'commit ', 'request-id: ', 'sha1 ', 'digest=', 'id: ']) {
      const text = `datadog ${label}${hex32}`;
      expect(redact(text)).toBe(text);
    }
  });

  it('never rewrite the inside of a marker', () => {
    const kind = r(LOWER + DIGITS, 40); // exactly the shape of a Cloudflare token
    const custom = createRedactor({ extraPatterns: [{ kind, pattern: 'ACME-[0-9]{6}' }] });
    const once = custom('cloudflare token ACME-123456');
    expect(once).toBe(`cloudflare token [redacted:${kind}]`);
    expect(custom(once)).toBe(once);
  });

  it('skip low-entropy values (placeholders)', () => {
    const text = `datadog api key ${'0'.repeat(16)}${'f'.repeat(16)}`;
    expect(redact(text)).toBe(text);
    expect(shannonEntropy('0'.repeat(32))).toBe(0);
    expect(shannonEntropy('01')).toBe(1);
  });
});

describe('vendor look-alikes survive', () => {
  it('has at least 60 rows', () => {
    expect(VENDOR_LOOK_ALIKES.length).toBeGreaterThanOrEqual(60);
  });

  it.each(VENDOR_LOOK_ALIKES)('%s', (input) => {
    expect(redact(input)).toBe(input);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------------------------

/** Any vendor example, with fresh random characters. */
const vendorExample = fc
  .tuple(fc.integer({ min: 0, max: BUILDERS.length - 1 }), fc.integer())
  .map(([i, seed]) => (BUILDERS[i] as Builder)(seededRand(seed)));

const surrounding = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme-ascii', maxLength: 40 }));
const space = fc.constantFrom(' ', '\n', '\t');

describe('vendor formats: properties', () => {
  it('a vendor token embedded in random text never survives', () => {
    fc.assert(
      fc.property(vendorExample, surrounding, space, space, surrounding, (e, before, s1, s2, after) => {
        // A keyword-gated token gets its keyword at the start of its line.
        const lead = e.keyword === undefined ? s1 : `\n${e.keyword} `;
        const out = redact(`${before}${lead}${e.value}${s2}${after}`);
        expect(out).not.toContain(secretOf(e));
        expect(out).toContain(redactionMarker(e.kind));
      }),
      { numRuns: 2000 },
    );
  });

  it('is idempotent on text mixing vendor tokens and noise', () => {
    const part = fc.oneof(
      surrounding,
      vendorExample.map((e) => `${e.keyword ?? ''} ${e.value}`),
      fc.constantFrom('[redacted:stripe-key]', 'datadog ', 'key=', '"', "'", '&', '?sig=', '@', '.', '-'),
    );
    fc.assert(
      fc.property(fc.array(part, { maxLength: 8 }), (parts) => {
        const once = redact(parts.join(''));
        expect(redact(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('linear time on adversarial input', () => {
  // Field names whose values hold more `name=value` pairs used to rescan the rest of the text at every name
  // (about 2 s for 100 KB of `a=`); each case must now finish far below the bound.
  const N = 100_000;
  const cases: [string, string][] = [
    ['hex run', '0123456789abcdef'.repeat(N / 16)],
    ['keyword then hex runs', `datadog ${'a1b2c3d4e5f6a7b8 '.repeat(N / 17)}`],
    ['prefixes repeated', 'sk_live_ghp_AIzaxoxb-glpat-'.repeat(N / 27)],
    ['dots and base64', `${'M'.repeat(24)}.`.repeat(N / 25)],
    ['telegram-like digits', '1234567890:'.repeat(N / 11)],
    ['sig params', '?sig='.repeat(N / 5)],
    ['url with hex user', `https://${'a'.repeat(32)}@`.repeat(N / 41)],
    ['names and separators', 'a='.repeat(N / 2)],
    ['names, colons and at signs', 'a:b@'.repeat(N / 4)],
    ['schemes', 'a://b:'.repeat(N / 6)],
    ['query-like names', '?sig='.repeat(N / 5)],
  ];
  it.each(cases)('%s', (_name, input) => {
    const start = performance.now();
    redact(input);
    expect(performance.now() - start).toBeLessThan(1000);
  });
});
