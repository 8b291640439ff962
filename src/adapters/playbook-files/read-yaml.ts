import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Yaml from 'yaml';
import type { z } from 'zod';
import type { PlaybookProblem } from '../../domain/errors.js';

/** Every `*.yml` / `*.yaml` under `dir`, sub-folders included, in name order. */
export async function listYaml(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const full = join(dir, e.name);
    if (e.isDirectory()) files.push(...(await listYaml(full)));
    else if (/\.ya?ml$/.test(e.name)) files.push(full);
  }
  return files;
}

/** The files of a directory, or a problem saying it is missing or empty. */
export async function filesOf(dir: string, what: string): Promise<{ files: string[]; problems: PlaybookProblem[] }> {
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
    const files = await listYaml(dir);
    return files.length > 0
      ? { files, problems: [] }
      : { files, problems: [{ file: dir, path: '', message: `no *.yml ${what} files found` }] };
  } catch {
    return { files: [], problems: [{ file: dir, path: '', message: `no such ${what} directory` }] };
  }
}

/** A file's name as shown in messages: relative to the working directory when inside it. */
export function displayName(file: string): string {
  const rel = relative(process.cwd(), resolve(file));
  return rel && !rel.startsWith('..') ? rel : resolve(file);
}

let yaml: typeof Yaml | undefined;
/** The YAML parser, loaded the first time a file is not one the build already parsed. */
function yamlParser(): typeof Yaml {
  yaml ??= createRequire(import.meta.url)('yaml') as typeof Yaml;
  return yaml;
}

function issuePath(issue: z.core.$ZodIssue): string {
  return issue.path.map(String).join('.');
}

/**
 * Parses one YAML document against a schema; every YAML and schema problem comes back with the file and its dot
 * path, none is thrown.
 */
export function parseYamlText<T>(
  text: string,
  file: string,
  schema: z.ZodType<T>,
  what: string,
): { value?: T; raw?: unknown; problems: PlaybookProblem[] } {
  // The build parsed this very text and checked it against the schema of its kind: that output is the value.
  const known = checkedAtBuild(text, what);
  if (known) return { value: structuredClone(known.value) as T, problems: [] };
  const { isMap, parseDocument } = yamlParser();
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return { problems: doc.errors.map((e) => ({ file, path: '', message: `YAML: ${e.message.split('\n')[0]}` })) };
  }
  if (!isMap(doc.contents)) return { problems: [{ file, path: '', message: `a ${what} file must be a YAML mapping` }] };
  const raw: unknown = doc.toJS({ maxAliasCount: 100 });
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    return { raw, problems: parsed.error.issues.map((i) => ({ file, path: issuePath(i), message: i.message })) };
  }
  return { value: parsed.data, problems: [] };
}

interface CheckedAtBuild {
  /** The kind of file (`playbook`, `signals`) whose schema the build checked it against. */
  what: string;
  /** The schema's output. */
  value: unknown;
}
let buildCache: ReadonlyMap<string, CheckedAtBuild> | undefined;

/**
 * The built-in files as `npm run build` parsed and checked them (dist/yaml-cache.json, keyed by the SHA-1 of their
 * text; see scripts/build-cache.mjs): the same text gives the same document and the same schema output, so a file
 * whose text matches skips the YAML parser and the schema (most of a CLI run's start). Empty when running from the
 * sources or when the file is missing or unreadable.
 */
function parsedAtBuild(): ReadonlyMap<string, CheckedAtBuild> {
  if (buildCache) return buildCache;
  try {
    const text = readFileSync(fileURLToPath(new URL('../../yaml-cache.json', import.meta.url)), 'utf8');
    const parsed: unknown = JSON.parse(text);
    const entries = typeof parsed === 'object' && parsed !== null ? Object.entries(parsed) : [];
    buildCache = new Map(
      entries.filter((e): e is [string, CheckedAtBuild] => typeof (e[1] as CheckedAtBuild | null)?.what === 'string'),
    );
  } catch {
    buildCache = new Map();
  }
  return buildCache;
}

/**
 * What the build made of this very text as a file of kind `what` (see parsedAtBuild), or undefined: a file it did
 * not see, or saw as another kind. The value is the build's own: copy it before handing it out.
 */
export function checkedAtBuild(text: string, what: string): { value: unknown } | undefined {
  const known = parsedAtBuild().get(createHash('sha1').update(text).digest('hex'));
  return known?.what === what ? known : undefined;
}

/** Reads a file as UTF-8. */
export function readText(file: string): Promise<string> {
  return readFile(file, 'utf8');
}
