import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { isMap, parseDocument } from 'yaml';
import type { z } from 'zod';
import { PlaybookError, type PlaybookProblem } from '../../domain/errors.js';
import { composePlaybooks, type PlaybookSource } from '../../domain/playbook/compose-playbooks.js';
import { type Playbook, PlaybookSchema } from '../../domain/playbook/schema.js';
import { checkPromql } from './check-promql.js';

async function listYaml(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const full = join(dir, e.name);
    if (e.isDirectory()) files.push(...(await listYaml(full)));
    else if (/\.ya?ml$/.test(e.name)) files.push(full);
  }
  return files;
}

function issuePath(issue: z.core.$ZodIssue): string {
  return issue.path.map(String).join('.');
}

/** Parses one playbook file's text; returns its problems (YAML and schema) with dot paths. */
export function parsePlaybookText(
  text: string,
  file: string,
): { source?: PlaybookSource; problems: PlaybookProblem[] } {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((e) => ({
        file,
        path: '',
        message: `YAML: ${e.message.split('\n')[0]}`,
      })),
    };
  }
  if (!isMap(doc.contents))
    return { problems: [{ file, path: '', message: 'a playbook file must be a YAML mapping' }] };
  const parsed = PlaybookSchema.safeParse(doc.toJS({ maxAliasCount: 100 }));
  if (!parsed.success) {
    return { problems: parsed.error.issues.map((i) => ({ file, path: issuePath(i), message: i.message })) };
  }
  return { source: { file, playbook: parsed.data }, problems: [] };
}

export interface LoadedPlaybooks {
  playbooks: Playbook[];
  problems: PlaybookProblem[];
  files: string[];
}

/** Reads every `*.yml` under `dir` (modules in sub-folders too) and composes them; never throws on bad files. */
export async function loadPlaybooksSafe(dir: string): Promise<LoadedPlaybooks> {
  const problems: PlaybookProblem[] = [];
  let files: string[];
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
    files = await listYaml(dir);
  } catch {
    return { playbooks: [], problems: [{ file: dir, path: '', message: 'no such playbook directory' }], files: [] };
  }
  if (files.length === 0) problems.push({ file: dir, path: '', message: 'no *.yml playbook files found' });
  const sources: PlaybookSource[] = [];
  for (const full of files) {
    const name = relative(process.cwd(), full) || full;
    const result = parsePlaybookText(await readFile(full, 'utf8'), name);
    problems.push(...result.problems);
    if (result.source) sources.push(result.source);
  }
  const composed = composePlaybooks(sources, checkPromql);
  problems.push(...composed.problems);
  return { playbooks: composed.playbooks, problems, files };
}

/** Loads playbooks, throwing `PlaybookError` with every problem listed when any file is invalid. */
export async function loadPlaybooks(dir: string): Promise<Playbook[]> {
  const loaded = await loadPlaybooksSafe(dir);
  if (loaded.problems.length > 0) throw new PlaybookError(loaded.problems);
  return loaded.playbooks;
}
