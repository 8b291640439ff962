/**
 * manifest.yml against Slack's published manifest schema (vendored: test/fixtures/slack/README.md), plus the
 * consistency rules the schema cannot express (every bot event's scope is requested, nothing more than needed).
 */
import { existsSync, readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { isMap, isScalar, isSeq, parse, parseDocument } from 'yaml';

const MANIFEST_PATH = new URL('../manifest.yml', import.meta.url);
const SCHEMA_PATH = new URL('./fixtures/slack/manifest.schema.1.0.0.json', import.meta.url);

/** Bot events and the scope each needs (slack.md §3; https://docs.slack.dev/reference/events). */
const EVENT_SCOPES: Readonly<Record<string, string>> = {
  app_mention: 'app_mentions:read',
  'message.channels': 'channels:history',
  'message.groups': 'groups:history',
  'message.im': 'im:history',
  'message.mpim': 'mpim:history',
};

/** Exactly the bot scopes Triage needs; each is justified by a comment in manifest.yml. */
const EXPECTED_BOT_SCOPES = [
  'commands',
  'chat:write',
  'chat:write.public',
  'app_mentions:read',
  'channels:history',
  'groups:history',
  'channels:read',
  'groups:read',
  'files:write',
  'users:read',
  'usergroups:read',
];

interface Manifest {
  _metadata?: { major_version?: number; minor_version?: number };
  display_information: { name: string; background_color?: string };
  features?: {
    bot_user?: { display_name: string; always_online?: boolean };
    slash_commands?: Array<{
      command: string;
      url?: string;
      description: string;
      usage_hint?: string;
      should_escape?: boolean;
    }>;
  };
  oauth_config?: { scopes?: { bot?: string[] } };
  settings?: {
    event_subscriptions?: { request_url?: string; bot_events?: string[] };
    interactivity?: { is_enabled: boolean; request_url?: string };
    org_deploy_enabled?: boolean;
    socket_mode_enabled?: boolean;
    token_rotation_enabled?: boolean;
  };
}

function compileSchema(): ValidateFunction {
  if (!existsSync(SCHEMA_PATH)) {
    throw new Error(
      `${SCHEMA_PATH.pathname} is missing: vendor slackapi/manifest-schema schemas/manifest.schema.1.0.0.json there`,
    );
  }
  const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
  // Ajv's default class implements draft-07, the draft the schema declares.
  expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
  // Non-standard keywords of Slack's schema: `_note` is a comment; `regex` is enforced like `pattern`.
  ajv.addKeyword({ keyword: '_note', schemaType: 'string' });
  ajv.addKeyword({
    keyword: 'regex',
    type: 'string',
    schemaType: 'string',
    errors: false,
    validate: (pattern: string, data: string) => new RegExp(pattern, 'u').test(data),
  });
  // Only `$schema` uses a format ("uri").
  ajv.addFormat('uri', /^[a-z][a-z0-9+.-]*:[^\s]*$/i);
  return ajv.compile(schema);
}

function errorsOf(validate: ValidateFunction, data: unknown): ErrorObject[] {
  return validate(data) ? [] : (validate.errors ?? []);
}

describe('manifest.yml', () => {
  let validate: ValidateFunction;
  let text: string;
  let manifest: Manifest;

  beforeAll(() => {
    validate = compileSchema();
    text = readFileSync(MANIFEST_PATH, 'utf8');
    manifest = parse(text) as Manifest;
  });

  it("validates against Slack's manifest schema 1.0.0 with no errors", () => {
    expect(errorsOf(validate, manifest)).toEqual([]);
    expect(manifest._metadata).toEqual({ major_version: 1, minor_version: 1 });
  });

  it('fails validation for deliberately broken copies', () => {
    const broken = (mutate: (m: Record<string, unknown> & Manifest) => void) => {
      const copy = structuredClone(manifest) as Record<string, unknown> & Manifest;
      mutate(copy);
      return errorsOf(validate, copy).map((e) => ({ path: e.instancePath, keyword: e.keyword, params: e.params }));
    };

    expect(
      broken((m) => {
        const { command: _, ...rest } = m.features?.slash_commands?.[0] ?? { command: '' };
        (m.features as { slash_commands: unknown[] }).slash_commands = [rest];
      }),
    ).toContainEqual({
      path: '/features/slash_commands/0',
      keyword: 'required',
      params: { missingProperty: 'command' },
    });

    expect(
      broken((m) => {
        (m.oauth_config as { scopes: Record<string, unknown> }).scopes.workspace = ['commands'];
      }),
    ).toContainEqual({
      path: '/oauth_config/scopes',
      keyword: 'additionalProperties',
      params: { additionalProperty: 'workspace' },
    });

    expect(
      broken((m) => {
        const command = m.features?.slash_commands?.[0];
        if (command) command.command = 'diagnose';
      }),
    ).toContainEqual(expect.objectContaining({ path: '/features/slash_commands/0/command', keyword: 'pattern' }));

    expect(
      broken((m) => {
        m.display_information.background_color = 'blue';
      }),
    ).toContainEqual(expect.objectContaining({ path: '/display_information/background_color', keyword: 'regex' }));

    expect(
      broken((m) => {
        m.display_information.name = 'T'.repeat(36);
      }),
    ).toContainEqual(expect.objectContaining({ path: '/display_information/name', keyword: 'maxLength' }));

    expect(
      broken((m) => {
        (m.settings as { interactivity: Record<string, unknown> }).interactivity = { request_url: 'https://x' };
      }),
    ).toContainEqual(expect.objectContaining({ path: '/settings/interactivity', keyword: 'required' }));

    expect(
      broken((m) => {
        m.unknown_top_level = true;
      }),
    ).toContainEqual(expect.objectContaining({ path: '', keyword: 'additionalProperties' }));
  });

  it('declares the /diagnose slash command on the events endpoint', () => {
    expect(manifest.features?.slash_commands).toHaveLength(1);
    expect(manifest.features?.slash_commands?.[0]).toMatchObject({
      command: '/diagnose',
      url: 'https://triage.example.com/slack/events',
      should_escape: false,
    });
    expect(manifest.features?.slash_commands?.[0]?.usage_hint).toContain('help');
    expect(manifest.features?.slash_commands?.[0]?.usage_hint).toContain('export');
    expect(manifest.features?.bot_user).toEqual({ display_name: 'triage', always_online: true });
    expect(manifest.display_information.name).toBe('Triage');
  });

  it('uses HTTP mode with one /slack/events URL for commands, events and interactivity', () => {
    const settings = manifest.settings;
    expect(settings?.socket_mode_enabled).toBe(false);
    expect(settings?.org_deploy_enabled).toBe(false);
    expect(settings?.token_rotation_enabled).toBe(false);
    expect(settings?.interactivity).toEqual({
      is_enabled: true,
      request_url: 'https://triage.example.com/slack/events',
    });
    expect(settings?.event_subscriptions?.request_url).toBe('https://triage.example.com/slack/events');
    // The Socket Mode switch is documented next to the setting.
    for (const needle of ['socket_mode_enabled: true', 'connections:write', 'SLACK_APP_TOKEN']) {
      expect(text).toContain(needle);
    }
  });

  it("requests every bot event's scope, and exactly the scopes Triage needs", () => {
    const scopes = manifest.oauth_config?.scopes?.bot ?? [];
    const events = manifest.settings?.event_subscriptions?.bot_events ?? [];
    expect(events).toEqual(['app_mention', 'message.channels', 'message.groups']);
    for (const event of events) {
      const scope = EVENT_SCOPES[event];
      expect(scope, `no known scope for bot event ${event}`).toBeDefined();
      expect(scopes, `bot event ${event} needs ${scope}`).toContain(scope);
    }
    expect(new Set(scopes).size).toBe(scopes.length);
    expect([...scopes].sort()).toEqual([...EXPECTED_BOT_SCOPES].sort());
    // Interactivity and slash commands are consistent with the scopes.
    expect(scopes).toContain('commands');
  });

  it('justifies every bot scope with a YAML comment', () => {
    const doc = parseDocument(text);
    const bot = doc.getIn(['oauth_config', 'scopes', 'bot'], true);
    expect(isSeq(bot)).toBe(true);
    if (!isSeq(bot)) return;
    // The `yaml` parser attaches the comment above the first item to the sequence itself.
    const uncommented = bot.items.filter(
      (item, i) => !(isScalar(item) && (item.commentBefore ?? (i === 0 ? bot.commentBefore : undefined))?.trim()),
    );
    expect(uncommented.map(String)).toEqual([]);
    expect(isMap(doc.contents)).toBe(true);
  });
});
