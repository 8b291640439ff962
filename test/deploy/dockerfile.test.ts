/**
 * The Dockerfile (no container daemon here, so the image is not built): a build stage with the compilers, a slim
 * runtime stage with only what the app needs, a non-root user, an exec-form CMD naming a package.json bin, and a
 * HEALTHCHECK that really tells a healthy app from a sick one.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ENV_VARIABLES, loadConfig } from '../../src/app/config.js';
import { closedPort, listenOnLoopback } from '../support/local-process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BASE_IMAGE = 'node:20-bookworm-slim';

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** The Dockerfile's stages: continuation lines joined, comments dropped, `ARG`s before the first FROM substituted. */
function parseDockerfile(text: string): Stage[] {
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(\w+)\s+(.*)$/.exec(line);
    if (!match) throw new Error(`Dockerfile: cannot read the line ${JSON.stringify(line)}`);
    const keyword = (match[1] ?? '').toUpperCase();
    const args = (match[2] ?? '').replace(/\s+/g, ' ').trim();
    if (keyword === 'ARG' && stages.length === 0) {
      const [name, value] = args.split('=');
      if (name) globalArgs[name] = value ?? '';
      continue;
    }
    if (keyword === 'FROM') {
      const resolved = args.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string, b: string) => globalArgs[a ?? b] ?? '');
      const [from = '', as, name] = resolved.split(' ');
      stages.push({ from, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`Dockerfile: ${keyword} before the first FROM`);
    stage.instructions.push({ keyword, args });
  }
  return stages;
}

function last(stage: Stage, keyword: string): Instruction | undefined {
  return stage.instructions.filter((i) => i.keyword === keyword).at(-1);
}

/** An exec-form instruction's argument list (JSON array); shell form is refused with the reason. */
function execForm(instruction: Instruction | undefined, what: string): string[] {
  if (!instruction) throw new Error(`${what} is missing`);
  const args = instruction.args.replace(/^(--\S+\s+)*(CMD\s+)?/, '');
  try {
    const list: unknown = JSON.parse(args);
    if (Array.isArray(list) && list.every((a) => typeof a === 'string')) return list;
  } catch {
    // reported below
  }
  throw new Error(`${what} must use the exec form ["node", …] so that SIGTERM reaches Node, not ${args}`);
}

/** What is wrong with the runtime stage, as sentences (empty when nothing is). */
function runtimeProblems(stages: Stage[], bins: readonly string[]): string[] {
  const problems: string[] = [];
  const runtime = stages.at(-1);
  if (!runtime) return ['the Dockerfile has no stage'];
  if (runtime.from !== BASE_IMAGE)
    problems.push(`the runtime stage must start FROM ${BASE_IMAGE}, not ${runtime.from}`);
  const user = last(runtime, 'USER')?.args.split(':')[0];
  if (user === undefined || !/^\d+$/.test(user) || Number(user) === 0) {
    problems.push(`the runtime stage must end with USER <uid> (numeric, not 0), not ${user ?? 'none'}`);
  }
  try {
    const cmd = execForm(last(runtime, 'CMD'), 'CMD');
    const file = (cmd[1] ?? '').replace(/^\.\//, '');
    if (cmd[0] !== 'node' || !bins.includes(file)) {
      problems.push(`CMD must run one of package.json's bins (${bins.join(', ')}) with node, not ${cmd.join(' ')}`);
    }
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (last(runtime, 'STOPSIGNAL')?.args !== 'SIGTERM') problems.push('STOPSIGNAL must be SIGTERM');
  if (runtime.instructions.some((i) => i.keyword === 'RUN' && /apt-get install|python3|g\+\+/.test(i.args))) {
    problems.push('the runtime stage must not install compilers (they belong in the build stage)');
  }
  return problems;
}

/** Sources of `COPY` from the build context (not `--from=` another stage). */
function contextCopies(stage: Stage): string[] {
  return stage.instructions
    .filter((i) => i.keyword === 'COPY' && !/--from=/.test(i.args))
    .flatMap((i) =>
      i.args
        .split(' ')
        .filter((a) => !a.startsWith('--'))
        .slice(0, -1),
    );
}

/** Destinations of `COPY --from=<stage>`. */
function stageCopies(stage: Stage): string[] {
  return stage.instructions
    .filter((i) => i.keyword === 'COPY' && /--from=/.test(i.args))
    .map((i) => (i.args.split(' ').at(-1) ?? '').replace(/^\.\//, ''));
}

/** Whether a root-anchored .dockerignore pattern (`*` within one segment) leaves `path` out of the context. */
function ignored(path: string, patterns: readonly string[]): boolean {
  const clean = path.replace(/^\.\//, '').replace(/\/$/, '');
  return patterns.some((pattern) => {
    const source = pattern
      .replace(/\/$/, '')
      .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*');
    return new RegExp(`^${source}(/.*)?$`).test(clean);
  });
}

function packageBins(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin?: Record<string, string> };
  return Object.values(pkg.bin ?? {}).map((b) => b.replace(/^\.\//, ''));
}

/** Runs the HEALTHCHECK command as Docker would (in the image's working directory) with PORT set. */
function runHealthcheck(command: string[], port: number): Promise<number | null> {
  const [file = '', ...args] = command;
  return new Promise((resolve, reject) => {
    const child = spawn(file === 'node' ? process.execPath : file, args, {
      env: { PATH: process.env.PATH, PORT: String(port) },
      stdio: 'ignore',
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code));
  });
}

const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const stages = parseDockerfile(dockerfile);
const [build, runtime] = stages as [Stage, Stage];
const dockerignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));

describe('Dockerfile', () => {
  it('builds in a stage with the compilers: npm ci, npm run build, npm prune --omit=dev', () => {
    expect(stages).toHaveLength(2);
    expect(build.from).toBe(BASE_IMAGE);
    const runs = build.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(runs.join('\n')).toMatch(/apt-get install[^\n]*python3[^\n]*make[^\n]*g\+\+/);
    const order = ['npm ci', 'npm run build', 'npm prune --omit=dev'].map((step) => runs.join('\n').indexOf(step));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('copies into the build stage everything `npm run build` reads: the build passes with only those files', async () => {
    // The build stage's steps, outside Docker: its context COPYs before `npm run build`, node_modules from `npm ci`.
    const buildAt = build.instructions.findIndex((i) => i.keyword === 'RUN' && i.args.includes('npm run build'));
    const copied = contextCopies({ ...build, instructions: build.instructions.slice(0, buildAt) });
    const dir = await mkdtemp(join(tmpdir(), 'triage-image-build-'));
    try {
      // As the context holds them: what .dockerignore leaves out is not there.
      for (const source of copied)
        await cp(join(ROOT, source), join(dir, source), {
          recursive: true,
          filter: (from) => !ignored(relative(ROOT, from), dockerignore),
        });
      await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
      const result = spawnSync('npm', ['run', 'build'], { cwd: dir, encoding: 'utf8', timeout: 240_000 });
      expect(result.status, `${result.stdout}\n${result.stderr}`.slice(-2000)).toBe(0);
      for (const built of ['dist/main.js', 'dist/cli/main.js', 'dist/yaml-cache.json', 'dist/promql-valid.json'])
        expect(existsSync(join(dir, built)), built).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);

  it('has a runtime stage that satisfies every rule (read package.json now: the triage-app bin may be new)', () => {
    expect(runtimeProblems(stages, packageBins())).toEqual([]);
  });

  it('flags a shell-form CMD, a root user, a CMD that is not a bin, and compilers in the runtime stage', () => {
    // The bins as they will be, so that this test does not depend on when the triage-app bin lands.
    const bins = ['bin/triage.js', 'bin/triage-app.js'];
    expect(runtimeProblems(stages, bins)).toEqual([]);
    const bad = (from: string, to: string) => runtimeProblems(parseDockerfile(dockerfile.replace(from, to)), bins);
    expect(bad('CMD ["node", "bin/triage-app.js"]', 'CMD node bin/triage-app.js')).toEqual([
      'CMD must use the exec form ["node", …] so that SIGTERM reaches Node, not node bin/triage-app.js',
    ]);
    expect(bad('USER 1000:1000', 'USER root')).toEqual([
      'the runtime stage must end with USER <uid> (numeric, not 0), not root',
    ]);
    expect(bad('"bin/triage-app.js"]', '"dist/main.js"]')).toEqual([
      expect.stringMatching(/^CMD must run one of package.json's bins \(.*\) with node, not node dist\/main\.js$/),
    ]);
    expect(bad('VOLUME', 'RUN apt-get install -y g++\nVOLUME')).toEqual([
      'the runtime stage must not install compilers (they belong in the build stage)',
    ]);
  });

  it('runs as the same user as the Kubernetes Deployment', () => {
    const deployment = parse(readFileSync(join(ROOT, 'deploy/kubernetes/deployment.yaml'), 'utf8'));
    const uid = Number(last(runtime, 'USER')?.args.split(':')[0]);
    expect(deployment.spec.template.spec.securityContext.runAsUser).toBe(uid);
  });

  it('ships the compiled app, production dependencies, bin/, playbooks, signals, schemas and the demo fixtures', () => {
    expect(stageCopies(runtime).sort()).toEqual(['dist', 'node_modules', 'package.json']);
    expect(contextCopies(runtime).sort()).toEqual(['bin', 'fixtures/recordings', 'playbooks', 'schemas', 'signals']);
    for (const source of [...contextCopies(build), ...contextCopies(runtime)]) {
      expect(existsSync(join(ROOT, source)), `${source} exists`).toBe(true);
      expect(ignored(source, dockerignore), `${source} is not in .dockerignore`).toBe(false);
    }
  });

  it('keeps node_modules, dist, .git and the tests out of the build context', () => {
    for (const path of ['node_modules', 'dist', '.git', 'test/app/config.test.ts', '.triage/triage.sqlite']) {
      expect(ignored(path, dockerignore), path).toBe(true);
    }
    expect(ignored('playbooks/cpu.yml', ['play*'])).toBe(true);
    expect(ignored('playbooks/cpu.yml', ['*.yml'])).toBe(false);
  });

  it('exposes the default PORT and sets only environment variables Triage reads (and NODE_ENV)', () => {
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 's',
      PROMETHEUS_URL: 'http://p:9090',
    });
    expect(last(runtime, 'EXPOSE')?.args).toBe(String(config.port));
    const names = runtime.instructions
      .filter((i) => i.keyword === 'ENV')
      .flatMap((i) => [...i.args.matchAll(/(\w+)=/g)].map((m) => m[1]));
    expect(names).toContain('PORT');
    expect(names.filter((n) => n !== 'NODE_ENV' && !ENV_VARIABLES.includes(n ?? ''))).toEqual([]);
  });

  describe('HEALTHCHECK', () => {
    const command = execForm(last(runtime, 'HEALTHCHECK'), 'HEALTHCHECK');

    it('uses Node itself (no curl in the slim image) with a timeout shorter than Docker’s', () => {
      expect(command[0]).toBe('node');
      expect(last(runtime, 'HEALTHCHECK')?.args).toMatch(/--timeout=5s/);
      expect(command.join(' ')).toMatch(/AbortSignal\.timeout\(4000\)/);
    });

    async function against(status: number): Promise<{ code: number | null; paths: string[] }> {
      const paths: string[] = [];
      const server = createServer((req, res) => {
        paths.push(req.url ?? '');
        res.writeHead(status).end();
      });
      const { url, close } = await listenOnLoopback(server);
      try {
        return { code: await runHealthcheck(command, Number(new URL(url).port)), paths };
      } finally {
        await close();
      }
    }

    it('passes when GET /healthz on PORT answers 200', async () => {
      expect(await against(200)).toEqual({ code: 0, paths: ['/healthz'] });
    });

    it('fails when /healthz answers 503', async () => {
      expect(await against(503)).toEqual({ code: 1, paths: ['/healthz'] });
    });

    it('fails when nothing listens on PORT', async () => {
      expect(await runHealthcheck(command, await closedPort())).toBe(1);
    });
  });
});
