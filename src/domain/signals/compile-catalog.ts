import { CAUSE_TITLES, CAUSES } from '../causes.js';
import type { PlaybookProblem } from '../errors.js';
import { closestId } from '../playbook/closest-id.js';
import { expandConvention, type ProvidedQuery } from './expand-convention.js';
import { sampleExpansion } from './resolve-signal.js';
import type { CauseDefinition, ServiceMapping, SignalsFile } from './schema.js';
import type { ConventionInfo, Signal, SignalCatalog, SignalVariant } from './signal.js';

/** Returns a syntax error message for a PromQL expression, or null when it parses. */
export type PromqlChecker = (query: string) => string | null;

/** One parsed signals file. Built-in files come first; a team's files overlay them by id. */
export interface SignalsSource {
  file: string;
  data: SignalsFile;
  builtIn: boolean;
}

/** A cause of the taxonomy: built-in (causes.md) or declared by a team. */
export interface CauseInfo {
  id: string;
  title: string;
  mitigations: readonly string[];
  builtIn: boolean;
  file?: string;
}

export interface CompiledCatalog {
  catalog: SignalCatalog;
  causes: ReadonlyMap<string, CauseInfo>;
  mappings: readonly ServiceMapping[];
  /** Problems that make a file's entry unusable (it is left out; the rest loads). */
  problems: PlaybookProblem[];
  /** Overrides of built-in ids, said so a team sees what it replaced. */
  notices: PlaybookProblem[];
}

const DEFAULT_PRIORITY = 50;

interface Ranked extends SignalVariant {
  rank: [number, number, number, number];
}

/**
 * Builds the signal catalogue from signals files: signal definitions and conventions by id (a team's file
 * replaces a built-in entry with the same id, and is told so), every convention expanded into queries, checked as
 * PromQL, and ordered: conventions restricted to named services first, then by priority, a team's before the
 * built-ins, then in file order. A bad entry is reported with its file and dot path and left out.
 */
export function compileCatalog(sources: readonly SignalsSource[], checkPromql: PromqlChecker): CompiledCatalog {
  const problems: PlaybookProblem[] = [];
  const notices: PlaybookProblem[] = [];
  const definitions = new Map<string, { def: NonNullable<SignalsFile['signals']>[number]; source: SignalsSource }>();
  const conventions = new Map<
    string,
    { convention: NonNullable<SignalsFile['conventions']>[number]; source: SignalsSource; path: string }
  >();
  const causes = new Map<string, CauseInfo>();
  for (const id of CAUSES) causes.set(id, { id, title: CAUSE_TITLES[id], mitigations: [], builtIn: true });
  const mappings: ServiceMapping[] = [];

  const claim = <T extends { source: SignalsSource }>(
    map: Map<string, T>,
    id: string,
    entry: T,
    what: string,
    path: string,
  ): boolean => {
    const earlier = map.get(id);
    if (earlier && earlier.source.builtIn === entry.source.builtIn) {
      problems.push({
        file: entry.source.file,
        path,
        message: `${what} id "${id}" is also defined in ${earlier.source.file}; this one is ignored`,
      });
      return false;
    }
    if (earlier) {
      notices.push({
        file: entry.source.file,
        path,
        message: `replaces the built-in ${what} "${id}" (${earlier.source.file})`,
      });
    }
    map.set(id, entry);
    return true;
  };

  for (const source of sources) {
    source.data.signals?.forEach((def, i) => {
      claim(definitions, def.id, { def, source }, 'signal', `signals.${i}.id`);
    });
    source.data.conventions?.forEach((convention, i) => {
      claim(
        conventions,
        convention.id,
        { convention, source, path: `conventions.${i}` },
        'convention',
        `conventions.${i}.id`,
      );
    });
    source.data.causes?.forEach((cause: CauseDefinition, i) => {
      const path = `causes.${i}.id`;
      const earlier = causes.get(cause.id);
      if (earlier?.file !== undefined && earlier.builtIn === source.builtIn) {
        problems.push({
          file: source.file,
          path,
          message: `cause id "${cause.id}" is also declared in ${earlier.file}; this one is ignored`,
        });
        return;
      }
      if (earlier) notices.push({ file: source.file, path, message: `replaces the built-in cause "${cause.id}"` });
      causes.set(cause.id, {
        id: cause.id,
        title: cause.title,
        mitigations: cause.mitigations,
        builtIn: source.builtIn,
        file: source.file,
      });
    });
    if (source.data.services) mappings.push(...source.data.services);
  }

  const known = [...definitions.keys()];
  const variants = new Map<string, Ranked[]>();
  const infos: ConventionInfo[] = [];
  let order = 0;
  for (const { convention: c, source, path } of conventions.values()) {
    const provided = expandConvention(c);
    const provides: string[] = [];
    let broken = false;
    for (const [signal, list] of provided) {
      if (!definitions.has(signal)) {
        const guess = closestId(signal, known);
        problems.push({
          file: source.file,
          path: c.provides?.[signal] ? `${path}.provides.${signal}` : path,
          message: `unknown signal "${signal}"${guess ? `; did you mean "${guess}"?` : ''}`,
        });
        broken = true;
        continue;
      }
      list.forEach((q: ProvidedQuery, k) => {
        const error = q.unavailable ? null : checkPromql(sampleExpansion(q.query));
        if (error) {
          const where = c.provides?.[signal]
            ? `${path}.provides.${signal}${list.length > 1 ? `.${k}` : ''}.query`
            : path;
          problems.push({
            file: source.file,
            path: where,
            message: `PromQL syntax error (after expanding $service and durations): ${error}`,
          });
          broken = true;
          return;
        }
        const priority = q.priority ?? c.priority ?? DEFAULT_PRIORITY;
        const entry: Ranked = {
          convention: c.id,
          requires: q.requires,
          query: q.query,
          ...(q.note ? { note: q.note } : {}),
          ...(q.labels ? { labels: q.labels } : {}),
          ...(c.services ? { services: c.services } : {}),
          ...(q.unavailable ? { unavailable: q.unavailable } : {}),
          ...(q.statusLabels ? { statusLabels: q.statusLabels } : {}),
          ...(q.statusExact ? { statusExact: true } : {}),
          ...(q.fixed ? { fixed: q.fixed } : {}),
          rank: [c.services ? 0 : 1, priority, source.builtIn ? 1 : 0, order++],
        };
        const existing = variants.get(signal) ?? [];
        existing.push(entry);
        variants.set(signal, existing);
      });
      provides.push(signal);
    }
    if (broken && provides.length === 0) continue;
    infos.push({
      id: c.id,
      title: c.title,
      priority: c.priority ?? DEFAULT_PRIORITY,
      file: source.file,
      ...(c.services ? { services: c.services } : {}),
      ...(c.source ? { source: c.source } : {}),
      signals: provides,
    });
  }

  const signals = new Map<string, Signal>();
  const knownFamilies = new Set<string>();
  for (const [id, { def }] of definitions) {
    const list = (variants.get(id) ?? []).sort(compareRank).map(({ rank: _rank, ...v }) => v);
    for (const v of list) for (const f of v.requires) if (!f.startsWith('*')) knownFamilies.add(f);
    signals.set(id, {
      name: id,
      title: def.title,
      unit: def.unit,
      reduce: def.reduce,
      direction: def.direction,
      scope: def.scope,
      ...(def.detail ? { detailLabel: def.detail } : {}),
      variants: list,
    });
  }
  infos.sort((a, b) => a.priority - b.priority || a.id.localeCompare(b.id));
  return { catalog: { signals, conventions: infos, knownFamilies }, causes, mappings, problems, notices };
}

function compareRank(a: Ranked, b: Ranked): number {
  for (let i = 0; i < a.rank.length; i++) {
    const d = (a.rank[i] ?? 0) - (b.rank[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
