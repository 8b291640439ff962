/**
 * Vendor token formats, caught wherever they stand in free text ("retrying with key sk_live_…", a JSON string, a URL
 * query, a Python dict repr), not only after a `key=value` label.
 *
 * Each format is either distinctive on its own (a vendor prefix and a fixed shape: `ghp_` + 36 alphanumerics), or a
 * bare hex/base64 shape that is only a secret when a vendor keyword stands shortly before it on the same line AND the
 * value looks random (Shannon entropy per character above a threshold). The second group is also skipped when the
 * value is labelled as an identifier (`trace_id=`, `commit`, `sha256:`…), so trace ids, digests and UUIDs survive.
 *
 * Every pattern keeps matching linear: the first token character is pinned by a look-behind (one start per run of
 * token characters), every quantifier is bounded, and the shape after the prefix is a single character class.
 *
 * Pure: no I/O, no node:* imports.
 */

export interface VendorFormat {
  /** Marker kind: the secret becomes `[redacted:<kind>]`. */
  readonly kind: string;
  /** Who issues the token, for documentation. */
  readonly vendor: string;
  /**
   * Global RegExp. The named group `secret` is what gets replaced; the groups `pre` and `post` are kept around the
   * marker. Without a `secret` group the whole match is the secret.
   */
  readonly pattern: RegExp;
  /**
   * Literal text every match contains (one of them at least). A text holding none of them is skipped without running
   * the pattern, which keeps the cost of many formats low.
   */
  readonly hints?: readonly string[];
  /** When set, one of these words must stand before the token, on its line, at most KEYWORD_WINDOW characters away. */
  readonly keywords?: RegExp;
  /** When set, the secret's Shannon entropy (bits per character) must reach this value. */
  readonly minEntropy?: number;
}

/** How far before a keyword-gated token its vendor keyword may stand (same line only). */
export const KEYWORD_WINDOW = 80;

/** Entropy thresholds in bits per character: random hex sits near 3.7 (max 4), random base64 near 4.5–5. */
const HEX = 3.0;
const B64 = 3.5;

// Boundaries: a token starts where no token character precedes it and ends where none follows.
const L = '(?<![A-Za-z0-9_-])';
const R = '(?![A-Za-z0-9_-])';
const tok = (body: string, left = L, right = R): RegExp => new RegExp(`${left}${body}${right}`, 'g');
const HEX_LEFT = '(?<![A-Za-z0-9_.:-])';
const HEX_RIGHT = '(?![A-Za-z0-9_-])';

const DATADOG = /datadog|(?<![a-z0-9])dd[_.-]?(?:api|app(?:lication)?)/i;

export const VENDOR_FORMATS = [
  // Payments and commerce
  {
    kind: 'stripe-key',
    vendor: 'Stripe',
    pattern: tok('(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{20,247}', '(?<![A-Za-z0-9_])'),
    hints: ['_live_', '_test_'],
  },
  {
    kind: 'stripe-webhook-secret',
    vendor: 'Stripe',
    pattern: tok('whsec_[A-Za-z0-9+/]{32,88}={0,2}'),
    hints: ['whsec_'],
  },
  { kind: 'shopify-token', vendor: 'Shopify', pattern: tok('shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}'), hints: ['shp'] },
  {
    kind: 'square-token',
    vendor: 'Square',
    pattern: tok('(?:EAAA[A-Za-z0-9_+=-]{60}|sq0(?:atp|csp)-[A-Za-z0-9_-]{22,43})'),
    hints: ['EAAA', 'sq0'],
  },
  // Source hosting, CI and package registries
  {
    kind: 'github-token',
    vendor: 'GitHub',
    pattern: tok('(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{50,255})'),
    hints: ['gh', 'github_pat_'],
  },
  {
    kind: 'gitlab-token',
    vendor: 'GitLab',
    pattern: tok(
      '(?:(?:glpat|gldt|glrt|glptt|glsoat|glcbt|glffct|glimt|gloas|glagent|glft)-[A-Za-z0-9_-]{20,100}|GR1348941[A-Za-z0-9_-]{20,40})',
    ),
    hints: ['gl', 'GR1348941'],
  },
  { kind: 'npm-token', vendor: 'npm', pattern: tok('npm_[A-Za-z0-9]{36}'), hints: ['npm_'] },
  {
    kind: 'pypi-token',
    vendor: 'PyPI',
    pattern: tok('pypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,1000}'),
    hints: ['pypi-AgE'],
  },
  { kind: 'rubygems-key', vendor: 'RubyGems', pattern: tok('rubygems_[a-f0-9]{48}'), hints: ['rubygems_'] },
  { kind: 'nuget-key', vendor: 'NuGet', pattern: tok('oy2[a-z0-9]{43}'), minEntropy: B64, hints: ['oy2'] },
  {
    kind: 'docker-hub-token',
    vendor: 'Docker Hub',
    pattern: tok('dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,40}'),
    hints: ['dckr_'],
  },
  { kind: 'buildkite-token', vendor: 'Buildkite', pattern: tok('bkua_[a-f0-9]{40}'), hints: ['bkua_'] },
  {
    kind: 'circleci-token',
    vendor: 'CircleCI',
    pattern: tok('CCIPAT_[A-Za-z0-9]{22}_[a-f0-9]{40}'),
    hints: ['CCIPAT_'],
  },
  // Cloud providers
  {
    kind: 'google-api-key',
    vendor: 'Google Cloud',
    pattern: tok('AIza[A-Za-z0-9_-]{35}'),
    hints: ['AIza'],
  },
  {
    kind: 'google-oauth-token',
    vendor: 'Google',
    pattern: tok('(?:ya29\\.[A-Za-z0-9_-]{30,2048}|1//0[A-Za-z0-9_-]{40,512}|GOCSPX-[A-Za-z0-9_-]{28})'),
    hints: ['ya29.', '1//0', 'GOCSPX-'],
  },
  {
    kind: 'aws-session-token',
    vendor: 'AWS',
    pattern: tok(
      '(?:FwoGZXIvYXdzE|IQoJb3JpZ2luX2Vj)[A-Za-z0-9+/]{80,2000}={0,2}',
      '(?<![A-Za-z0-9+/_-])',
      '(?![A-Za-z0-9+/=_-])',
    ),
    hints: ['FwoGZXIvYXdzE', 'IQoJb3JpZ2luX2Vj'],
  },
  {
    kind: 'azure-storage-key',
    vendor: 'Azure Storage',
    pattern: /(?<pre>(?<![A-Za-z0-9])[Aa]ccount[Kk]ey=)(?<secret>[A-Za-z0-9+/]{40,100}={0,2})(?![A-Za-z0-9+/=])/g,
    hints: ['ccount'],
  },
  {
    kind: 'azure-sas-token',
    vendor: 'Azure Storage',
    pattern: /(?<pre>(?<=[?&;])sig=)(?<secret>[A-Za-z0-9%+/]{30,200}={0,2})(?![A-Za-z0-9%+/=])/g,
    hints: ['sig='],
    minEntropy: B64,
  },
  {
    kind: 'azure-ad-client-secret',
    vendor: 'Microsoft Entra ID',
    pattern: tok('[A-Za-z0-9_~.]{3}\\dQ~[A-Za-z0-9_~.-]{31,34}', '(?<![A-Za-z0-9_~.-])', '(?![A-Za-z0-9_~.-])'),
    hints: ['Q~'],
    minEntropy: B64,
  },
  { kind: 'digitalocean-token', vendor: 'DigitalOcean', pattern: tok('do[opr]_v1_[a-f0-9]{64}'), hints: ['_v1_'] },
  {
    kind: 'alibaba-access-key',
    vendor: 'Alibaba Cloud',
    pattern: tok('LTAI[A-Za-z0-9]{12,20}'),
    minEntropy: B64,
    hints: ['LTAI'],
  },
  { kind: 'heroku-api-key', vendor: 'Heroku', pattern: tok('HRKU-[A-Za-z0-9_-]{60}'), hints: ['HRKU-'] },
  {
    kind: 'heroku-api-key',
    vendor: 'Heroku',
    pattern: tok('[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', HEX_LEFT, HEX_RIGHT),
    keywords: /heroku/i,
    minEntropy: HEX,
  },
  {
    kind: 'cloudflare-token',
    vendor: 'Cloudflare',
    pattern: tok('(?:v1\\.0-[a-f0-9]{24}-[a-f0-9]{146}|[A-Za-z0-9_-]{40})'),
    keywords: /cloudflare|(?<![a-z0-9])cf[_-]?api/i,
    minEntropy: B64,
  },
  {
    kind: 'terraform-token',
    vendor: 'HashiCorp Terraform Cloud',
    pattern: tok('[A-Za-z0-9]{14}\\.atlasv1\\.[A-Za-z0-9_=-]{60,70}'),
    hints: ['.atlasv1.'],
  },
  {
    kind: 'vault-token',
    vendor: 'HashiCorp Vault',
    pattern: tok('hv[sbr]\\.[A-Za-z0-9_-]{24,200}'),
    hints: ['hvs.', 'hvb.', 'hvr.'],
  },
  {
    kind: 'vault-token',
    vendor: 'HashiCorp Vault',
    pattern: tok('s\\.[A-Za-z0-9]{24}', '(?<![A-Za-z0-9_.-])', '(?![A-Za-z0-9_.-])'),
    keywords: /vault/i,
    minEntropy: B64,
  },
  { kind: 'pulumi-token', vendor: 'Pulumi', pattern: tok('pul-[a-f0-9]{40}'), hints: ['pul-'] },
  {
    kind: 'doppler-token',
    vendor: 'Doppler',
    pattern: tok('dp\\.(?:pt|st|sa|ct|scim|audit)\\.(?:[a-z0-9_-]{2,35}\\.)?[A-Za-z0-9]{40,44}'),
    hints: ['dp.'],
  },
  {
    kind: 'planetscale-token',
    vendor: 'PlanetScale',
    pattern: tok('pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.=-]{32,64}'),
    hints: ['pscale_'],
  },
  {
    kind: 'supabase-token',
    vendor: 'Supabase',
    pattern: tok('(?:sbp_[a-f0-9]{40}|sb_secret_[A-Za-z0-9_-]{31,40})'),
    hints: ['sbp_', 'sb_secret_'],
  },
  {
    kind: 'databricks-token',
    vendor: 'Databricks',
    pattern: tok('dapi[a-f0-9]{32}(?:-\\d)?'),
    minEntropy: HEX,
    hints: ['dapi'],
  },
  // Observability and on-call
  {
    kind: 'datadog-api-key',
    vendor: 'Datadog',
    pattern: tok('[0-9a-f]{32}', HEX_LEFT, HEX_RIGHT),
    keywords: DATADOG,
    minEntropy: HEX,
  },
  {
    kind: 'datadog-app-key',
    vendor: 'Datadog',
    pattern: tok('[0-9a-f]{40}', HEX_LEFT, HEX_RIGHT),
    keywords: DATADOG,
    minEntropy: HEX,
  },
  {
    kind: 'sentry-dsn',
    vendor: 'Sentry',
    pattern:
      /(?<pre>(?<![A-Za-z0-9+.-])https?:\/\/)(?<secret>[0-9a-f]{32}(?::[0-9a-f]{32})?)(?<post>@[A-Za-z0-9.-]{1,253}(?::\d{1,5})?\/(?:[\w.-]{1,64}\/){0,4}\d{1,12})(?![\w/])/g,
    hints: ['://'],
  },
  {
    kind: 'sentry-token',
    vendor: 'Sentry',
    pattern: tok('sntry[us]_[A-Za-z0-9+/=_]{40,400}', L, '(?![A-Za-z0-9+/=_-])'),
    hints: ['sntry'],
  },
  {
    kind: 'grafana-token',
    vendor: 'Grafana',
    pattern: tok('(?:glc_[A-Za-z0-9+/]{32,400}={0,2}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})', L, '(?![A-Za-z0-9+/=_-])'),
    hints: ['glc_', 'glsa_'],
  },
  {
    kind: 'newrelic-key',
    vendor: 'New Relic',
    pattern: tok('(?:NRAK-[A-Z0-9]{27}|NRII-[A-Za-z0-9_-]{32}|NRJS-[a-f0-9]{19}|[a-f0-9]{36}NRAL)'),
    hints: ['NRAK-', 'NRII-', 'NRJS-', 'NRAL'],
  },
  {
    kind: 'dynatrace-token',
    vendor: 'Dynatrace',
    pattern: tok('dt0c01\\.[A-Z0-9]{24}\\.[A-Z0-9]{64}'),
    hints: ['dt0c01.'],
  },
  // Messaging and e-mail
  {
    kind: 'slack-webhook',
    vendor: 'Slack',
    pattern:
      /(?<pre>hooks\.slack\.com\/(?:services|workflows|triggers)\/)(?<secret>T[A-Z0-9]{6,12}\/[A-Za-z0-9_-]{6,40}\/[A-Za-z0-9/_-]{20,150})/g,
    hints: ['hooks.slack.com/'],
  },
  {
    kind: 'twilio-key',
    vendor: 'Twilio',
    pattern: tok('(?:SK|AC)[0-9a-f]{32}', HEX_LEFT, HEX_RIGHT),
    keywords: /twilio/i,
    minEntropy: HEX,
  },
  {
    kind: 'sendgrid-api-key',
    vendor: 'SendGrid',
    pattern: tok('SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}'),
    hints: ['SG.'],
  },
  { kind: 'mailgun-api-key', vendor: 'Mailgun', pattern: tok('key-[0-9a-f]{32}'), minEntropy: HEX, hints: ['key-'] },
  {
    kind: 'mailchimp-api-key',
    vendor: 'Mailchimp',
    pattern: tok('[0-9a-f]{32}-us\\d{1,2}'),
    minEntropy: HEX,
    hints: ['-us'],
  },
  {
    kind: 'brevo-key',
    vendor: 'Brevo',
    pattern: tok('x(?:keysib|smtpsib)-[a-f0-9]{64}-[A-Za-z0-9]{16}'),
    hints: ['sib-'],
  },
  {
    kind: 'discord-bot-token',
    vendor: 'Discord',
    pattern: tok('[MNO][A-Za-z0-9_-]{23,25}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{27,38}'),
    minEntropy: B64,
  },
  {
    kind: 'discord-webhook',
    vendor: 'Discord',
    pattern:
      /(?<pre>discord(?:app)?\.com\/api\/webhooks\/)(?<secret>\d{17,20}\/[A-Za-z0-9_-]{60,70})(?![A-Za-z0-9_-])/g,
    hints: ['/api/webhooks/'],
  },
  {
    kind: 'telegram-bot-token',
    vendor: 'Telegram',
    pattern: tok('\\d{8,10}:AA[A-Za-z0-9_-]{33}', '(?<![0-9:])'),
    hints: [':AA'],
  },
  // AI providers
  {
    kind: 'anthropic-api-key',
    vendor: 'Anthropic',
    pattern: tok('sk-ant-(?:api|admin|oat|ort|sid)\\d{2}-[A-Za-z0-9_-]{40,200}'),
    hints: ['sk-ant-'],
  },
  {
    kind: 'openai-api-key',
    vendor: 'OpenAI',
    pattern: tok('sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,250}|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})'),
    hints: ['sk-'],
  },
  {
    kind: 'huggingface-token',
    vendor: 'Hugging Face',
    pattern: tok('(?:hf|api_org)_[A-Za-z]{34}'),
    minEntropy: B64,
    hints: ['hf_', 'api_org_'],
  },
  { kind: 'groq-api-key', vendor: 'Groq', pattern: tok('gsk_[A-Za-z0-9]{52}'), hints: ['gsk_'] },
  { kind: 'replicate-token', vendor: 'Replicate', pattern: tok('r8_[A-Za-z0-9]{37}'), hints: ['r8_'] },
  { kind: 'perplexity-key', vendor: 'Perplexity', pattern: tok('pplx-[A-Za-z0-9]{48}'), hints: ['pplx-'] },
  // Productivity and tooling
  {
    kind: 'atlassian-api-token',
    vendor: 'Atlassian',
    pattern: tok('ATATT3[A-Za-z0-9_=-]{100,300}'),
    hints: ['ATATT3'],
  },
  {
    kind: 'atlassian-api-token',
    vendor: 'Atlassian',
    pattern: tok('[A-Za-z0-9]{24}', '(?<![A-Za-z0-9_.:/-])', '(?![A-Za-z0-9_./-])'),
    keywords: /atlassian|jira|confluence/i,
    minEntropy: B64,
  },
  { kind: 'linear-api-key', vendor: 'Linear', pattern: tok('lin_(?:api|oauth)_[A-Za-z0-9]{40,64}'), hints: ['lin_'] },
  {
    kind: 'postman-api-key',
    vendor: 'Postman',
    pattern: tok('PMAK-[a-fA-F0-9]{24}-[a-fA-F0-9]{34}'),
    hints: ['PMAK-'],
  },
  {
    kind: 'notion-token',
    vendor: 'Notion',
    pattern: tok('(?:ntn_\\d{11}[A-Za-z0-9]{35}|secret_[A-Za-z0-9]{43})'),
    hints: ['ntn_', 'secret_'],
    minEntropy: B64,
  },
  { kind: 'airtable-token', vendor: 'Airtable', pattern: tok('pat[A-Za-z0-9]{14}\\.[a-f0-9]{64}'), hints: ['pat'] },
  { kind: 'contentful-token', vendor: 'Contentful', pattern: tok('CFPAT-[A-Za-z0-9_-]{43}'), hints: ['CFPAT-'] },
  {
    kind: 'mapbox-token',
    vendor: 'Mapbox',
    pattern: tok('sk\\.eyJ[A-Za-z0-9_-]{10,200}\\.[A-Za-z0-9_-]{20,200}'),
    hints: ['sk.eyJ'],
  },
  {
    kind: 'harness-token',
    vendor: 'Harness',
    pattern: tok('pat\\.[A-Za-z0-9_-]{22}\\.[0-9a-f]{24}\\.[A-Za-z0-9]{20}'),
    hints: ['pat.'],
  },
  {
    kind: 'onepassword-token',
    vendor: '1Password',
    pattern: tok('ops_eyJ[A-Za-z0-9+/]{250,4000}={0,3}', L, '(?![A-Za-z0-9+/=_-])'),
    hints: ['ops_eyJ'],
  },
  {
    kind: 'age-secret-key',
    vendor: 'age',
    pattern: tok('AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}'),
    hints: ['AGE-SECRET-KEY-1'],
  },
  {
    kind: 'okta-token',
    vendor: 'Okta',
    pattern: tok('00[A-Za-z0-9_-]{40}'),
    keywords: /okta/i,
    minEntropy: B64,
  },
] as const satisfies readonly VendorFormat[];

export type VendorKind = (typeof VENDOR_FORMATS)[number]['kind'];

/** Every vendor kind once, in declaration order. */
export const VENDOR_KINDS: readonly VendorKind[] = [...new Set(VENDOR_FORMATS.map((f) => f.kind))];
