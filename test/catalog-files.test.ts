/**
 * A team's signals and playbook directories over the built-ins: they add and replace by id, what they take over is
 * said, and a broken file is reported with its path while everything else still loads.
 */
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../src/adapters/playbook-files/load-playbooks.js';

describe('signals directories', () => {
  it('report every broken file with its file and path, and still load the others', async () => {
    const loaded = await loadCatalog({ signals: ['test/fixtures/signals/invalid'] });
    const lines = loaded.problems.map((p) => `${p.file.replace(/^.*invalid\//, '')} ${p.path}: ${p.message}`);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^bad-yaml\.yml : YAML: /),
        expect.stringMatching(/^unknown-field\.yml conventions\.0\.server: Unrecognized key: "latencyy"/),
        expect.stringMatching(/^bad-promql\.yml conventions\.0\.provides\.queue_lag\.query: PromQL syntax error/),
        expect.stringMatching(
          /^duplicate-b\.yml conventions\.0\.id: convention id "acme-pool" is also defined in .*duplicate-a\.yml/,
        ),
        expect.stringMatching(
          /^duplicate-b\.yml conventions\.1\.provides\.request_rat: unknown signal "request_rat"; did you mean "request_rate"\?/,
        ),
      ]),
    );
    expect(loaded.blocking).toEqual([]);
    const conventions = loaded.signals.conventions.map((c) => c.id);
    expect(conventions).toEqual(expect.arrayContaining(['acme-good', 'acme-pool', 'prom-client', 'istio']));
    expect(loaded.playbooks.map((p) => p.id)).toContain('general');
  });

  it('add conventions for one service, causes of their own, and service mappings', async () => {
    const loaded = await loadCatalog({
      signals: ['test/fixtures/signals/valid'],
      playbooks: ['test/fixtures/playbooks/overlay'],
    });
    expect(loaded.problems).toEqual([]);
    expect(loaded.signals.signals.get('request_rate')?.variants[0]).toMatchObject({
      convention: 'billing-odd-names',
      services: ['billing'],
      requires: ['bill_http_calls_total'],
    });
    expect(loaded.causes.get('feature-flag')).toMatchObject({ title: 'A feature flag was flipped', builtIn: false });
    expect(loaded.mappings[0]?.aliases).toEqual(['legacy-billing-svc']);
    const team = loaded.playbooks.find((p) => p.id === 'team-errors');
    expect(team?.hypotheses[0]).toMatchObject({ cause: 'feature-flag', title: 'A feature flag was flipped' });
    expect(team?.hypotheses[0]?.mitigations).toEqual([
      'Turn the flag back off in the flag service, then look at what it changed.',
    ]);
  });

  it('say which built-in playbook a team file replaces, and which symptoms a new one takes over', async () => {
    const loaded = await loadCatalog({
      signals: ['test/fixtures/signals/valid'],
      playbooks: ['test/fixtures/playbooks/overlay'],
    });
    const notices = loaded.notices.map((n) => `${n.file.replace(/^.*overlay\//, '')} ${n.path}: ${n.message}`);
    expect(notices).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^latency\.yml id: replaces the built-in playbook "latency"/),
        expect.stringMatching(
          /^errors-first\.yml match: takes over symptoms from built-in playbooks: .*\(was http-5xx\)/,
        ),
      ]),
    );
    expect(loaded.playbooks.find((p) => p.id === 'latency')?.title).toBe('Our latency playbook');
  });

  it('give the built-in playbook back when a team replacement cannot be built', async () => {
    const loaded = await loadCatalog({ playbooks: ['test/fixtures/playbooks/overlay'] });
    // team-errors names a cause only the signals fixture declares: without it the team playbook is left out.
    expect(loaded.problems.map((p) => p.message)).toContain(
      'unknown cause "feature-flag" (declare a cause of your own under "causes:" in a signals file)',
    );
    expect(loaded.playbooks.map((p) => p.id)).not.toContain('team-errors');
    expect(loaded.blocking).toEqual([]);
  });
});
