import { describe, expect, it } from 'vitest';
import { loadCatalog, loadPlaybooks, loadPlaybooksSafe } from '../src/adapters/playbook-files/load-playbooks.js';
import { CAUSES } from '../src/domain/causes.js';
import { PlaybookError } from '../src/domain/errors.js';
import { SYMPTOM_KINDS } from '../src/domain/symptom/symptom.js';

const BUNDLED = 'playbooks';

describe('bundled playbooks', () => {
  it('all load without a problem', async () => {
    const loaded = await loadPlaybooksSafe(BUNDLED);
    expect(loaded.problems).toEqual([]);
    expect(loaded.playbooks.map((p) => p.id)).toEqual(
      expect.arrayContaining([
        'general',
        'http-5xx',
        'latency',
        'memory',
        'cpu',
        'connection-pool',
        'resource-leak',
        'dependencies',
        'traffic',
      ]),
    );
  });

  it('make every cause reachable from the general playbook (a rule supports it)', async () => {
    const general = (await loadPlaybooks(BUNDLED)).find((p) => p.id === 'general');
    for (const cause of CAUSES) {
      const h = general?.hypotheses.find((x) => x.cause === cause);
      expect(h, cause).toBeDefined();
      expect(
        h?.rules.some((r) => r.supports),
        cause,
      ).toBe(true);
      expect(h?.mitigations.length, cause).toBeGreaterThan(0);
    }
  });

  it('give every symptom kind a playbook', async () => {
    const playbooks = await loadPlaybooks(BUNDLED);
    const covered = new Set(playbooks.flatMap((p) => p.match.kinds));
    expect(SYMPTOM_KINDS.filter((k) => !covered.has(k))).toEqual([]);
  });

  it('start with the steps the playbook is about', async () => {
    const byId = new Map((await loadPlaybooks(BUNDLED)).map((p) => [p.id, p]));
    expect(byId.get('memory')?.steps[0]?.id).toBe('memory-usage');
    expect(byId.get('connection-pool')?.steps[0]?.id).toBe('pool-usage');
    expect(byId.get('http-5xx')?.steps[0]?.id).toBe('status-500');
  });
});

describe('loadPlaybooks on bad files', () => {
  it('lists every problem with the file and the dot path', async () => {
    const loaded = await loadPlaybooksSafe('test/fixtures/playbooks/invalid');
    const lines = loaded.problems.map((p) => `${p.file.replace(/^.*invalid\//, '')} ${p.path}: ${p.message}`);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^unknown-key\.yml steps\.0: Unrecognized key: "treshold"/),
        expect.stringMatching(/^unknown-key\.yml steps\.1\.id: ids are lower-case/),
        expect.stringMatching(/^unknown-key\.yml steps\.2\.requires: a step with a raw "query" must list/),
        expect.stringMatching(/^unknown-key\.yml hypotheses\.0\.cause: unknown cause "gremlins"/),
        expect.stringMatching(/^unknown-key\.yml steps\.1\.signal: unknown signal "no_such_signal"/),
        expect.stringMatching(/^bad-yaml\.yml : YAML: .* at line 4, column 1/),
        expect.stringMatching(/^bad-refs\.yml include\.0: no module or playbook with id "nowhere"/),
        expect.stringMatching(/^bad-refs\.yml steps\.3\.query: PromQL syntax error/),
        expect.stringMatching(/^both-ways\.yml hypotheses\.0\.rules\.0: a rule either "supports" or is "against"/),
        expect.stringMatching(/^bad-refs\.yml steps\.2\.signal: unknown signal "no_such_signal"/),
        expect.stringMatching(/^bad-refs\.yml hypotheses\.0\.rules\.0\.when: refers to step "missing-step"/),
        expect.stringMatching(/^bad-refs\.yml steps: steps wait on each other: a → b → a/),
      ]),
    );
    expect(loaded.problems.length).toBeGreaterThanOrEqual(12);
  });

  it('reports references to missing steps and waiting loops', async () => {
    const { composePlaybooks } = await import('../src/domain/playbook/compose-playbooks.js');
    const catalog = await loadCatalog();
    const composed = composePlaybooks(
      [
        {
          file: 'loop.yml',
          playbook: {
            version: 1,
            id: 'loop',
            kind: 'playbook',
            title: 'Loop',
            include: [],
            steps: [
              { id: 'a', title: 'A', kind: 'metric', signal: 'request_rate', when: { step: 'b', is: 'crit' } },
              { id: 'b', title: 'B', kind: 'metric', signal: 'request_rate', when: { step: 'a', is: 'crit' } },
            ],
            hypotheses: [
              {
                cause: 'bad-deploy',
                rules: [{ when: { step: 'zzz', is: 'crit' }, supports: 'strong', because: 'x' }],
                mitigations: [],
              },
            ],
          },
        },
      ],
      { checkPromql: () => null, signals: catalog.signals, causes: catalog.causes },
    );
    expect(composed.broken).toEqual(['loop']);
    expect(composed.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'hypotheses.0.rules.0.when: refers to step "zzz", which loop does not have',
      'steps: steps wait on each other: a → b → a',
    ]);
  });

  it("leaves a team's broken files out and still loads every built-in playbook", async () => {
    const playbooks = await loadPlaybooks('test/fixtures/playbooks/invalid');
    expect(playbooks.map((p) => p.id)).toEqual(expect.arrayContaining(['general', 'http-5xx', 'latency']));
  });

  it('throws a PlaybookError naming each file when a built-in playbook is broken', async () => {
    const broken = loadCatalog({ builtInPlaybooks: 'test/fixtures/playbooks/invalid' });
    expect((await broken).blocking.length).toBeGreaterThan(0);
    const { loadRunnableCatalog } = await import('../src/app/create-diagnoser.js');
    await expect(loadRunnableCatalog({})).resolves.toBeDefined();
    await expect(
      (async () => {
        const loaded = await broken;
        if (loaded.blocking.length) throw new PlaybookError([...loaded.blocking, ...loaded.problems]);
      })(),
    ).rejects.toThrow(/unknown-key\.yml at steps\.0/);
  });

  it('accepts a custom playbook with raw queries, next to the built-ins', async () => {
    const p = (await loadPlaybooks('test/fixtures/playbooks/valid')).find((x) => x.id === 'custom');
    expect(p?.steps.map((s) => s.id).slice(0, 2)).toEqual(['queue-depth', 'consumers']);
  });

  it('give every playbook, a team\'s too, the "what moved" scan', async () => {
    const all = await loadPlaybooks('test/fixtures/playbooks/valid');
    for (const p of all)
      expect(
        p.steps.filter((s) => s.kind === 'scan').map((s) => s.id),
        p.id,
      ).toEqual(['what-moved']);
    const custom = all.find((x) => x.id === 'custom');
    expect(custom?.hypotheses.find((h) => h.cause === 'rate-limited')?.rules.some((r) => 'moved' in r.when)).toBe(true);
  });

  it('reports a missing directory', async () => {
    const loaded = await loadPlaybooksSafe('test/fixtures/playbooks/nope');
    expect(loaded.problems[0]?.message).toBe('no such playbook directory');
  });
});
