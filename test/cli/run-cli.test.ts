import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/run-cli.js';
import { cli } from '../support/cli.js';
import { closedPort } from '../support/local-process.js';

describe('triage diagnose', () => {
  it('exits 2 and points to the demo when no Prometheus URL is given', async () => {
    const r = await cli(['diagnose', '502 on checkout']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/--prometheus-url .*PROMETHEUS_URL.*run: triage demo/);
  });

  it.each([
    [['diagnose', '502 on checkout', '--prometheus-url', 'not a url'], /must be a URL/],
    [
      ['diagnose', '502 on checkout', '--prometheus-url', 'http://x', '--at', 'yesterday'],
      /option '--at <iso>' argument 'yesterday' is invalid. It must be an ISO time/,
    ],
    [['diagnose', '502 on checkout', '--prometheus-url', 'http://x', '--since', 'ages'], /--since must be a duration/],
    [['diagnose', '502 on checkout since 25:99', '--prometheus-url', 'http://x'], /25:99/],
    [['diagnose', '502 on checkout', '--prometheus-url', 'http://x', '--deadline-ms', '-1'], /positive whole number/],
    [['diagnose', '502 on checkout', '--bogus'], /unknown option '--bogus'/],
    [['diagnose'], /missing required argument 'symptom'/],
  ])('exits 2 on usage errors: %j', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(message);
  });

  it('exits 3 naming the URL and the reason when Prometheus cannot be reached', async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}`;
    const r = await cli(['diagnose', '502 on checkout', '--json'], { PROMETHEUS_URL: url });
    expect(r.code).toBe(EXIT.unreachable);
    expect(r.stderr).toContain(`Prometheus at ${url} could not be used`);
    expect(r.stderr).toMatch(/ECONNREFUSED/);
    const json = JSON.parse(r.stdout) as { error: { code: string } };
    expect(json.error.code).toBe('datasource_unreachable');
  });

  it('never prints credentials from the URL', async () => {
    const port = await closedPort();
    const r = await cli(['diagnose', '502 on checkout', '--prometheus-url', `http://admin:s3cret@127.0.0.1:${port}`]);
    expect(r.code).toBe(EXIT.unreachable);
    expect(`${r.stdout}${r.stderr}`).not.toContain('s3cret');
  });
});

describe('triage playbooks validate', () => {
  it('exits 0 on the bundled playbooks and lists them', async () => {
    const r = await cli(['playbooks', 'validate']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/all valid/);
    expect(r.stdout).toMatch(/http-5xx\s+\d+ steps, 11 causes/);
  });

  it('exits 1 listing every problem with file and path', async () => {
    const r = await cli(['playbooks', 'validate', 'test/fixtures/playbooks/invalid']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^12 problem\(s\)/);
    expect(r.stderr).toContain('unknown-key.yml at steps.0: Unrecognized key: "treshold"');
    expect(r.stderr).toContain('bad-refs.yml at include.0: no module or playbook with id "nowhere"');
  });
});

describe('triage demo and playbooks test', () => {
  it('replays the bundled incident offline and prints the thread with its likely cause', async () => {
    const r = await cli(['demo']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('/diagnose 500 errors on billing');
    expect(r.stdout).toMatch(/✗ crit\s+Versions running/);
    expect(r.stdout).toMatch(/Likely cause: a recent deploy or config change introduced the fault \(\d+% confidence\)/);
    expect(r.stdout).toContain('[Re-run] [Confirm] [Reject] [Export post-mortem]');
  });

  it('exits 2 for an unknown recording', async () => {
    const r = await cli(['demo', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no recording named "nope"/);
  });

  it('passes every bundled recording', async () => {
    const r = await cli(['playbooks', 'test']);
    const { readdir } = await import('node:fs/promises');
    const recordings = (await readdir('fixtures/recordings')).filter((f) => f.endsWith('.json')).length;
    expect(recordings).toBeGreaterThanOrEqual(21);
    expect(r.stdout).toMatch(new RegExp(`^${recordings} passed, 0 failed$`, 'm'));
    expect(r.code).toBe(0);
  });

  it('fails when a playbook change moves the top cause', async () => {
    const { mkdtemp, readFile, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'triage-recordings-'));
    const recording = JSON.parse(await readFile('fixtures/recordings/bad-deploy-prom-client.json', 'utf8')) as {
      expect: { topCause: string };
    };
    recording.expect.topCause = 'memory-leak';
    await writeFile(join(dir, 'changed.json'), JSON.stringify(recording));
    const r = await cli(['playbooks', 'test', 'playbooks', '--recordings', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL {2}bad-deploy-prom-client\s+expected memory-leak\s+got bad-deploy/);
    expect(r.stdout).toMatch(/0 passed, 1 failed/);
  });
});
