/**
 * The HTML post-mortem opens in a real browser as one file: Debian's chromium, headless, renders it with its charts
 * inline and no network. The screenshot is kept in test-artifacts/ for a person to look at.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createChartRenderer } from '../../src/adapters/charts/chart-renderer.js';
import type { StoredRun } from '../../src/application/ports/run-store.js';
import { postmortemDocuments } from '../../src/application/postmortem/documents.js';
import { redact } from '../../src/domain/redaction/redact.js';
import { parseSymptom } from '../../src/domain/symptom/parse-symptom.js';
import { outcome, WINDOW } from '../support/diagnosis-factory.js';
import { decodePng, inkOf } from './png-pixels.js';

const CHROMIUM = process.env.TRIAGE_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = resolve('test-artifacts');
const WIDTH = 1200;
const HEIGHT = 2000;

/** Chromium, or why not: missing fails the file in CI and skips it elsewhere (like the real-Prometheus tests). */
function requireChromium(env: NodeJS.ProcessEnv = process.env): boolean {
  const probe = existsSync(CHROMIUM) ? spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8', timeout: 20_000 }) : null;
  if (probe && probe.status === 0) return true;
  const reason = probe ? `${CHROMIUM} --version failed: ${probe.stderr || probe.error}` : `${CHROMIUM} is missing`;
  if (env.CI && env.CI !== 'false' && env.CI !== '0')
    throw new Error(
      `The headless-browser test must run in CI (CI=${env.CI}), but ${reason} (apt-get install chromium).`,
    );
  process.stderr.write(`[triage tests] skipping the headless-browser post-mortem test: ${reason}\n`);
  return false;
}

function screenshot(url: string, file: string, profile: string): Promise<{ code: number | null; output: string }> {
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${profile}`,
    `--screenshot=${file}`,
    `--window-size=${WIDTH},${HEIGHT}`,
    url,
  ];
  return new Promise((done, fail) => {
    let output = '';
    const child = spawn(CHROMIUM, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (c: Buffer) => {
      output = (output + c.toString()).slice(-4000);
    });
    child.stderr.on('data', (c: Buffer) => {
      output = (output + c.toString()).slice(-4000);
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, output }));
  });
}

const run: StoredRun = {
  id: 'run-7f3a0000',
  trigger: 'command',
  text: '502 on checkout password=hunter2',
  symptom: parseSymptom('502 on checkout', { now: WINDOW.end }),
  service: 'checkout',
  playbook: 'http-5xx',
  status: 'finished',
  channel: null,
  rootTs: null,
  threadTs: null,
  userId: null,
  alert: null,
  owner: 'a',
  startedAt: WINDOW.end,
  updatedAt: WINDOW.end,
  finishedAt: WINDOW.end,
  result: outcome(),
  decision: null,
  undelivered: 0,
};

const available = requireChromium();
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!available)('the HTML post-mortem in a headless browser', () => {
  it('renders as one file with its charts inline, making no request', { timeout: 120_000 }, async () => {
    const docs = await postmortemDocuments(
      { run, events: [], now: new Date('2027-01-01T00:00:00Z'), redactor: redact },
      createChartRenderer(),
    );
    expect(docs.chartErrors).toEqual([]);
    expect(docs.charts.length).toBeGreaterThanOrEqual(2);
    expect(docs.html).not.toContain('hunter2');
    // Nothing to fetch: every image is a data: URI, no stylesheet, script or font is linked.
    expect(docs.html).not.toMatch(/<(?:link|script|iframe)\b|\bsrc="(?!data:)|url\(/i);
    expect(docs.html.match(/<img alt="[^"]+" src="data:image\/png;base64,/g)).toHaveLength(docs.charts.length);

    const work = await mkdtemp(join(tmpdir(), 'triage-html-'));
    dirs.push(work);
    const page = join(work, 'postmortem.html');
    await writeFile(page, docs.html);
    await mkdir(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, 'postmortem-html.png');
    await rm(shot, { force: true });
    const result = await screenshot(pathToFileURL(page).href, shot, join(work, 'profile'));
    expect(existsSync(shot), `chromium wrote no screenshot (exit ${result.code}): ${result.output}`).toBe(true);

    const png = decodePng(readFileSync(shot));
    expect([png.width, png.height]).toEqual([WIDTH, HEIGHT]);
    const { ink, colour } = inkOf(png);
    // Text and tables alone ink a few percent of the page; the charts add coloured series and areas.
    expect(ink).toBeGreaterThan(WIDTH * HEIGHT * 0.02);
    expect(colour).toBeGreaterThan(2_000);
  });
});
