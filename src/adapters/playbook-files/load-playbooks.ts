import { resolve } from 'node:path';
import type { z } from 'zod';
import { PlaybookError, type PlaybookProblem } from '../../domain/errors.js';
import { closestId } from '../../domain/playbook/closest-id.js';
import { composePlaybooks, type PlaybookSource } from '../../domain/playbook/compose-playbooks.js';
import type { Playbook, PlaybookSchema } from '../../domain/playbook/schema.js';
import { GENERAL_PLAYBOOK_ID } from '../../domain/playbook/select-playbook.js';
import { type CauseInfo, compileCatalog, type SignalsSource } from '../../domain/signals/compile-catalog.js';
import type { ServiceMapping, SignalsFileSchema } from '../../domain/signals/schema.js';
import type { SignalCatalog } from '../../domain/signals/signal.js';
import { BUNDLED_PLAYBOOKS, BUNDLED_SIGNALS } from './bundled.js';
import { checkPromql } from './check-promql.js';
import { compiledCatalogKey, readCompiledCatalog, writeCompiledCatalog } from './compiled-cache.js';
import { checkedAtBuild, displayName, filesOf, parseYamlText, readText } from './read-yaml.js';

/**
 * The schemas of the catalog's files, loaded the first time a file is not one the build already checked (a team's
 * own, or a built-in edited since): the built-in catalog alone never loads them, nor zod with them.
 */
const schemas = {
  playbook: async (): Promise<typeof PlaybookSchema> =>
    (await import('../../domain/playbook/schema.js')).PlaybookSchema,
  signals: async (): Promise<typeof SignalsFileSchema> =>
    (await import('../../domain/signals/schema.js')).SignalsFileSchema,
};

/** Parses one playbook file's text; returns its problems (YAML and schema) with dot paths. */
export async function parsePlaybookText(
  text: string,
  file: string,
): Promise<{ source?: PlaybookSource; problems: PlaybookProblem[] }> {
  const parsed = parseYamlText(text, file, await schemas.playbook(), 'playbook');
  return parsed.value ? { source: { file, playbook: parsed.value }, problems: [] } : { problems: parsed.problems };
}

export interface CatalogOptions {
  /** A team's playbook directories: their playbooks and modules add to the built-ins and replace them by id. */
  playbooks?: readonly string[];
  /** A team's signals directories: signals, conventions, causes and service mappings, overlaid the same way. */
  signals?: readonly string[];
  /** Where the built-ins are (tests point these elsewhere); default: the ones shipped with Triage. */
  builtInPlaybooks?: string;
  builtInSignals?: string;
}

export interface LoadedCatalog {
  playbooks: Playbook[];
  signals: SignalCatalog;
  causes: ReadonlyMap<string, CauseInfo>;
  mappings: readonly ServiceMapping[];
  /** Every problem in every file; the entries they concern are left out, the rest loads. */
  problems: PlaybookProblem[];
  /** What a team's files replace or take over from the built-ins. */
  notices: PlaybookProblem[];
  files: string[];
  /** Problems that must stop start-up: a built-in playbook, or the general one, could not be built. */
  blocking: PlaybookProblem[];
}

function same(a: string, b: string): boolean {
  return resolve(a) === resolve(b);
}

/** The files of some directories, listed and read. */
type Listings = {
  dir: string;
  builtIn: boolean;
  listed: { files: string[]; problems: PlaybookProblem[] };
  texts: string[];
}[];

/** Every directory listed and every file read at once (the reads overlap). */
function readListings(dirs: readonly { dir: string; builtIn: boolean }[], what: string): Promise<Listings> {
  return Promise.all(
    dirs.map(async ({ dir, builtIn }) => {
      const listed = await filesOf(dir, what);
      return { dir, builtIn, listed, texts: await Promise.all(listed.files.map((full) => readText(full))) };
    }),
  );
}

/** The files read, parsed and checked in order, so problems and values keep the order of the directories and files. */
async function parseListings<T>(
  listings: Listings,
  what: 'playbook' | 'signals',
  schemaOf: () => Promise<z.ZodType<T>>,
): Promise<{
  values: { file: string; value: T; builtIn: boolean }[];
  /** Files that did not pass their schema, as plain data, so references in them can still be checked. */
  rejected: { file: string; raw: unknown }[];
  problems: PlaybookProblem[];
  files: string[];
  builtInFiles: Set<string>;
}> {
  const values: { file: string; value: T; builtIn: boolean }[] = [];
  const rejected: { file: string; raw: unknown }[] = [];
  const problems: PlaybookProblem[] = [];
  const files: string[] = [];
  const builtInFiles = new Set<string>();
  const checked = listings.every(({ texts }) => texts.every((text) => checkedAtBuild(text, what)));
  const schema = checked ? undefined : await schemaOf();
  const parse = (text: string, file: string): { value?: T; raw?: unknown; problems: PlaybookProblem[] } => {
    if (schema) return parseYamlText(text, file, schema, what);
    // Every file is one the build checked: its value is the build's (a copy: the caller may change it).
    return { value: structuredClone(checkedAtBuild(text, what)?.value) as T, problems: [] };
  };
  for (const { dir, builtIn, listed, texts } of listings) {
    problems.push(...listed.problems);
    if (builtIn) builtInFiles.add(displayName(dir));
    for (const [i, full] of listed.files.entries()) {
      const name = displayName(full);
      files.push(name);
      if (builtIn) builtInFiles.add(name);
      const result = parse(texts[i] as string, name);
      problems.push(...result.problems);
      if (result.value !== undefined) values.push({ file: name, value: result.value, builtIn });
      else if (result.raw !== undefined) rejected.push({ file: name, raw: result.raw });
    }
  }
  return { values, rejected, problems, files, builtInFiles };
}

/**
 * The key of the compiled-catalog cache for these files, when there is a cache and only the built-in directories
 * are read (a team's files are always compiled: their parsing depends on more than this build).
 */
function cacheKeyOf(listings: Listings): string | undefined {
  if (listings.some((l) => !l.builtIn)) return undefined;
  const files = listings.flatMap((l) => [
    { name: `${displayName(l.dir)}\0${l.listed.problems.map((p) => p.message).join('\0')}`, text: '' },
    ...l.listed.files.map((full, i) => ({ name: displayName(full), text: l.texts[i] as string })),
  ]);
  return compiledCatalogKey(files);
}

/**
 * Reads the built-in signals and playbooks, then a team's directories over them, and composes everything. Never
 * throws on bad files: each problem is listed with its file and dot path, the entries it concerns are left out,
 * and `blocking` says whether what is left can still run.
 */
export async function loadCatalog(options: CatalogOptions = {}): Promise<LoadedCatalog> {
  const builtInSignals = options.builtInSignals ?? BUNDLED_SIGNALS;
  const builtInPlaybooks = options.builtInPlaybooks ?? BUNDLED_PLAYBOOKS;
  const signalDirs = [
    { dir: builtInSignals, builtIn: true },
    ...(options.signals ?? []).filter((d) => !same(d, builtInSignals)).map((dir) => ({ dir, builtIn: false })),
  ];
  const playbookDirs = [
    { dir: builtInPlaybooks, builtIn: true },
    ...(options.playbooks ?? []).filter((d) => !same(d, builtInPlaybooks)).map((dir) => ({ dir, builtIn: false })),
  ];
  const [signalListings, playbookListings] = await Promise.all([
    readListings(signalDirs, 'signals'),
    readListings(playbookDirs, 'playbook'),
  ]);
  const key = cacheKeyOf([...signalListings, ...playbookListings]);
  const cached = key === undefined ? undefined : readCompiledCatalog<LoadedCatalog>(key);
  if (cached) return cached;
  const signalFiles = await parseListings(signalListings, 'signals', schemas.signals);
  const compiled = compileCatalog(
    signalFiles.values.map((v): SignalsSource => ({ file: v.file, data: v.value, builtIn: v.builtIn })),
    checkPromql,
  );
  const playbookFiles = await parseListings(playbookListings, 'playbook', schemas.playbook);
  const sources = playbookFiles.values.map(
    (v): PlaybookSource => ({ file: v.file, playbook: v.value, builtIn: v.builtIn }),
  );
  let composed = composePlaybooks(sources, { checkPromql, signals: compiled.catalog, causes: compiled.causes });
  // A team's replacement that cannot be built gives the built-in back, rather than leaving the symptom uncovered.
  const builtInIds = new Set(sources.filter((s) => s.builtIn).map((s) => s.playbook.id));
  const failedOverrides = new Set(
    sources.filter((s) => !s.builtIn && builtInIds.has(s.playbook.id) && composed.broken.includes(s.playbook.id)),
  );
  if (failedOverrides.size > 0) {
    const retried = composePlaybooks(
      sources.filter((s) => !failedOverrides.has(s)),
      { checkPromql, signals: compiled.catalog, causes: compiled.causes },
    );
    composed = { ...retried, problems: composed.problems, notices: [...composed.notices, ...retried.notices] };
  }
  const referenceProblems = playbookFiles.rejected.flatMap((r) =>
    checkReferences(r.file, r.raw, compiled.catalog, compiled.causes),
  );
  const problems = [
    ...signalFiles.problems,
    ...compiled.problems,
    ...playbookFiles.problems,
    ...referenceProblems,
    ...composed.problems,
  ];
  const runnable = new Set(composed.playbooks.map((p) => p.id));
  const blocking: PlaybookProblem[] = [];
  for (const id of builtInIds) {
    const source = sources.find((s) => s.builtIn && s.playbook.id === id);
    if (source?.playbook.kind !== 'playbook' || runnable.has(id)) continue;
    blocking.push({ file: source.file, path: '', message: `the built-in playbook "${id}" cannot be built` });
  }
  if (!runnable.has(GENERAL_PLAYBOOK_ID))
    blocking.push({ file: builtInPlaybooks, path: '', message: `no runnable "${GENERAL_PLAYBOOK_ID}" playbook` });
  // The built-in signals must load whole: a playbook step on a signal they lost would quietly measure nothing.
  blocking.push(...[...signalFiles.problems, ...compiled.problems].filter((p) => signalFiles.builtInFiles.has(p.file)));
  const loaded: LoadedCatalog = {
    playbooks: composed.playbooks,
    signals: compiled.catalog,
    causes: compiled.causes,
    mappings: compiled.mappings,
    problems,
    notices: [...compiled.notices, ...composed.notices],
    files: [...signalFiles.files, ...playbookFiles.files],
    blocking,
  };
  if (key !== undefined) writeCompiledCatalog(key, loaded);
  return loaded;
}

/**
 * The signal and cause references of a playbook file that failed its schema, checked anyway, so one pass lists
 * every problem of the file rather than the next ones only after the first are fixed.
 */
function checkReferences(
  file: string,
  raw: unknown,
  signals: SignalCatalog,
  causes: ReadonlyMap<string, CauseInfo>,
): PlaybookProblem[] {
  const problems: PlaybookProblem[] = [];
  const doc = raw as { steps?: unknown; hypotheses?: unknown };
  const list = (v: unknown): Record<string, unknown>[] =>
    Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null) : [];
  list(doc.steps).forEach((step, i) => {
    const signal = step.signal;
    if (typeof signal === 'string' && !signals.signals.has(signal)) {
      const guess = closestId(signal, signals.signals.keys());
      problems.push({
        file,
        path: `steps.${i}.signal`,
        message: `unknown signal "${signal}"${guess ? `; did you mean "${guess}"?` : ''}`,
      });
    }
  });
  list(doc.hypotheses).forEach((h, i) => {
    const cause = h.cause;
    if (typeof cause === 'string' && !causes.has(cause)) {
      const guess = closestId(cause, causes.keys());
      problems.push({
        file,
        path: `hypotheses.${i}.cause`,
        message: `unknown cause "${cause}"${guess ? `; did you mean "${guess}"?` : ''}`,
      });
    }
  });
  return problems;
}

export interface LoadedPlaybooks {
  playbooks: Playbook[];
  problems: PlaybookProblem[];
  files: string[];
}

/** The built-in playbooks with a team's directory over them (none when `dir` is the built-in one); never throws. */
export async function loadPlaybooksSafe(dir: string): Promise<LoadedPlaybooks> {
  const loaded = await loadCatalog({ playbooks: [dir] });
  return { playbooks: loaded.playbooks, problems: loaded.problems, files: loaded.files };
}

/**
 * Loads the playbooks Triage runs, throwing `PlaybookError` (with every problem) only when what loaded cannot
 * run: a built-in playbook or the general one is broken. A team's broken file is left out.
 */
export async function loadPlaybooks(dir?: string, signals?: string): Promise<Playbook[]> {
  const loaded = await loadCatalog({
    ...(dir ? { playbooks: [dir] } : {}),
    ...(signals ? { signals: [signals] } : {}),
  });
  if (loaded.blocking.length > 0)
    throw new PlaybookError([...loaded.blocking, ...loaded.problems.filter((p) => !loaded.blocking.includes(p))]);
  return loaded.playbooks;
}
