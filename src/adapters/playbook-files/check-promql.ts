import * as crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { parser as LezerParser } from '@prometheus-io/lezer-promql';

let lezer: typeof LezerParser | undefined;
/** Prometheus's own grammar, loaded the first time a query needs parsing. */
function promqlParser(): typeof LezerParser {
  lezer ??= (createRequire(import.meta.url)('@prometheus-io/lezer-promql') as { parser: typeof LezerParser }).parser;
  return lezer;
}

const passed = new Set<string>();
let validAtBuild: ReadonlySet<string> | undefined;

/**
 * The SHA-1 of a query, in hex. Loading the catalog checks a thousand queries: crypto.hash (Node 20.12+) does it in
 * a third of the time a Hash object takes.
 */
function hashOf(query: string): string {
  return crypto.hash ? crypto.hash('sha1', query, 'hex') : crypto.createHash('sha1').update(query).digest('hex');
}

/**
 * The SHA-1 of every query the built-in catalog holds that passed this check when `npm run build` ran
 * (dist/promql-valid.json): the same text has the same syntax, so those are not parsed again at each start. Empty
 * when running from the sources.
 */
function knownValid(): ReadonlySet<string> {
  if (validAtBuild) return validAtBuild;
  try {
    const list: unknown = JSON.parse(
      readFileSync(fileURLToPath(new URL('../../promql-valid.json', import.meta.url)), 'utf8'),
    );
    validAtBuild = new Set(Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : []);
  } catch {
    validAtBuild = new Set();
  }
  return validAtBuild;
}

/** The hashes of the queries this process found valid (the build records the built-in catalog's). */
export function validQueryHashes(): string[] {
  return [...passed].map(hashOf).sort();
}

/** Checks PromQL syntax with Prometheus's own lezer grammar; returns the first error, or null. */
export function checkPromql(query: string): string | null {
  if (query.trim() === '') return 'the query is empty';
  if (knownValid().size > 0 && knownValid().has(hashOf(query))) return null;
  const tree = promqlParser().parse(query);
  let error: number | null = null;
  tree.iterate({
    enter: (node) => {
      if (error === null && node.type.isError) error = node.from;
      return error === null;
    },
  });
  if (error === null) {
    passed.add(query);
    return null;
  }
  const at = error as number;
  const line = query.slice(0, at).split('\n').length;
  const col = at - query.lastIndexOf('\n', at - 1);
  const near = query.slice(Math.max(0, at - 10), at + 10).replace(/\n/g, ' ');
  return `unexpected input at ${line}:${col} near "${near}"`;
}
