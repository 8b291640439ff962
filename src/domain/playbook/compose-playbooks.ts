import { stepsReferenced } from '../engine/conditions.js';
import type { PlaybookProblem } from '../errors.js';
import type { CauseInfo, PromqlChecker } from '../signals/compile-catalog.js';
import { sampleExpansion } from '../signals/resolve-signal.js';
import type { SignalCatalog } from '../signals/signal.js';
import { SYMPTOM_KINDS } from '../symptom/symptom.js';
import { closestId } from './closest-id.js';
import type { HypothesisSpec, Playbook, PlaybookFile, Step } from './schema.js';
import { GENERAL_PLAYBOOK_ID, selectPlaybook } from './select-playbook.js';

export type { PromqlChecker };

export interface PlaybookSource {
  file: string;
  playbook: PlaybookFile;
  /** Shipped with Triage (a team's directory overlays these by id). Default false. */
  builtIn?: boolean;
}

export interface ComposeContext {
  checkPromql: PromqlChecker;
  signals: SignalCatalog;
  causes: ReadonlyMap<string, CauseInfo>;
}

export interface Composed {
  /** Runnable playbooks; one that has a problem anywhere in its files is left out. */
  playbooks: Playbook[];
  problems: PlaybookProblem[];
  /** Overrides of built-in ids, and built-in symptoms a team's playbook now takes. */
  notices: PlaybookProblem[];
  /** Ids of playbooks that could not be built (their problems are in `problems`). */
  broken: string[];
}

/** The module holding the "what moved" scan, added to every playbook that has no scan step of its own. */
const SCAN_MODULE = 'scan-checks';

/**
 * Resolves `include:` chains into runnable playbooks and checks what a schema cannot: ids (a team's file replaces
 * a built-in one with the same id, and is told so), includes that exist and do not loop, conditions that name
 * existing steps, signals and causes that exist (with the closest id for a typo), and raw queries that parse.
 * A playbook with a problem is left out and named in `broken`; the others are still built.
 */
export function composePlaybooks(sources: readonly PlaybookSource[], context: ComposeContext): Composed {
  const problems: PlaybookProblem[] = [];
  const notices: PlaybookProblem[] = [];
  const byId = new Map<string, PlaybookSource>();
  for (const source of sources) {
    const clash = byId.get(source.playbook.id);
    if (clash && (clash.builtIn ?? false) === (source.builtIn ?? false)) {
      problems.push({
        file: source.file,
        path: 'id',
        message: `id "${source.playbook.id}" is also used by ${clash.file}`,
      });
      continue;
    }
    if (clash) {
      notices.push({
        file: source.file,
        path: 'id',
        message: `replaces the built-in playbook "${source.playbook.id}" (${clash.file})`,
      });
    }
    byId.set(source.playbook.id, source);
  }
  const active = [...byId.values()];

  // Problems inside one file, whichever playbook includes it.
  const fileProblems = new Map<string, PlaybookProblem[]>();
  const knownSignals = [...context.signals.signals.keys()];
  const knownCauses = [...context.causes.keys()];
  for (const source of active) {
    const own: PlaybookProblem[] = [];
    source.playbook.steps.forEach((step, i) => {
      if (step.kind === 'logs' || step.kind === 'scan') return;
      if (step.signal !== undefined && !context.signals.signals.has(step.signal)) {
        const guess = closestId(step.signal, knownSignals);
        own.push({
          file: source.file,
          path: `steps.${i}.signal`,
          message: `unknown signal "${step.signal}"${guess ? `; did you mean "${guess}"?` : ''}`,
        });
      }
      if (step.query !== undefined) {
        const error = context.checkPromql(sampleExpansion(step.query));
        if (error)
          own.push({
            file: source.file,
            path: `steps.${i}.query`,
            message: `PromQL syntax error (after expanding $service and durations): ${error}`,
          });
      }
    });
    source.playbook.hypotheses.forEach((h, i) => {
      if (context.causes.has(h.cause)) return;
      const guess = closestId(h.cause, knownCauses);
      own.push({
        file: source.file,
        path: `hypotheses.${i}.cause`,
        message: `unknown cause "${h.cause}"${guess ? `; did you mean "${guess}"?` : ''} (declare a cause of your own under "causes:" in a signals file)`,
      });
    });
    fileProblems.set(source.file, own);
    problems.push(...own);
  }

  const playbooks: Playbook[] = [];
  const broken: string[] = [];
  for (const source of active) {
    if (source.playbook.kind !== 'playbook') continue;
    const mine: PlaybookProblem[] = [];
    const order: PlaybookSource[] = [];
    // The playbook's own steps come first, then each include's, depth first: what a playbook is about is shown
    // first, and shared modules fill in the rest.
    const visit = (s: PlaybookSource, chain: string[]) => {
      if (!order.includes(s)) order.push(s);
      s.playbook.include.forEach((inc, i) => {
        const target = byId.get(inc);
        if (!target) {
          const guess = closestId(inc, byId.keys());
          mine.push({
            file: s.file,
            path: `include.${i}`,
            message: `no module or playbook with id "${inc}"${guess ? `; did you mean "${guess}"?` : ''}`,
          });
          return;
        }
        if (chain.includes(inc)) {
          mine.push({ file: s.file, path: `include.${i}`, message: `include loop: ${[...chain, inc].join(' → ')}` });
          return;
        }
        if (!order.includes(target)) visit(target, [...chain, inc]);
      });
    };
    visit(source, [source.playbook.id]);
    // Every diagnosis shows what moved: a playbook that includes no scan step gets the built-in one.
    const scanModule = byId.get(SCAN_MODULE);
    if (scanModule && !order.some((s) => s.playbook.steps.some((step) => step.kind === 'scan'))) {
      visit(scanModule, [source.playbook.id, SCAN_MODULE]);
    }

    const steps: Step[] = [];
    const stepOrigin = new Map<string, string>();
    const hypotheses = new Map<string, HypothesisSpec>();
    for (const part of order) {
      for (const step of part.playbook.steps) {
        const origin = stepOrigin.get(step.id);
        if (origin) {
          mine.push({
            file: part.file,
            path: 'steps',
            message:
              origin !== part.file
                ? `step "${step.id}" is also defined in ${origin}`
                : `step id "${step.id}" is used twice`,
          });
          continue;
        }
        stepOrigin.set(step.id, part.file);
        steps.push(step);
      }
      for (const h of part.playbook.hypotheses) {
        const merged = hypotheses.get(h.cause);
        if (!merged) {
          hypotheses.set(h.cause, { ...h, rules: [...h.rules], mitigations: [...h.mitigations] });
        } else {
          merged.rules.push(...h.rules);
          for (const m of h.mitigations) if (!merged.mitigations.includes(m)) merged.mitigations.push(m);
          if (h.title && !merged.title) merged.title = h.title;
          if (h.prior !== undefined) merged.prior = h.prior;
        }
      }
    }
    // A cause's own title and mitigations fill in what the playbook leaves out.
    for (const h of hypotheses.values()) {
      const info = context.causes.get(h.cause);
      if (!info) continue;
      h.title ??= info.title;
      if (h.mitigations.length === 0) h.mitigations.push(...info.mitigations);
    }

    const known = new Set(steps.map((s) => s.id));
    const checkRefs = (ids: readonly string[], file: string, path: string) => {
      for (const id of ids) {
        if (known.has(id)) continue;
        const guess = closestId(id, known);
        mine.push({
          file,
          path,
          message: `refers to step "${id}", which ${source.playbook.id} does not have${guess ? `; did you mean "${guess}"?` : ''}`,
        });
      }
    };
    for (const part of order) {
      part.playbook.steps.forEach((step, i) => {
        if (step.when) checkRefs(stepsReferenced(step.when), part.file, `steps.${i}.when`);
      });
      part.playbook.hypotheses.forEach((h, i) => {
        h.rules.forEach((r, j) => {
          checkRefs(stepsReferenced(r.when), part.file, `hypotheses.${i}.rules.${j}.when`);
        });
      });
    }
    const cycle = findCycle(steps);
    if (cycle)
      mine.push({ file: source.file, path: 'steps', message: `steps wait on each other: ${cycle.join(' → ')}` });
    problems.push(...mine);

    if (mine.length > 0 || order.some((part) => (fileProblems.get(part.file)?.length ?? 0) > 0)) {
      broken.push(source.playbook.id);
      continue;
    }
    playbooks.push({
      id: source.playbook.id,
      title: source.playbook.title,
      ...(source.playbook.description ? { description: source.playbook.description } : {}),
      match: { kinds: source.playbook.match?.kinds ?? [], codes: source.playbook.match?.codes ?? [] },
      steps,
      hypotheses: [...hypotheses.values()],
      sources: order.map((o) => o.file),
      signals: context.signals,
    });
  }
  // A team's playbooks come first, so on an even match the team's own wins over the built-in (and is told so).
  const teamIds = new Set(active.filter((s) => !s.builtIn).map((s) => s.playbook.id));
  const ordered = [...playbooks.filter((p) => teamIds.has(p.id)), ...playbooks.filter((p) => !teamIds.has(p.id))];
  notices.push(...takeovers(sources, ordered));
  return { playbooks: ordered, problems: unique(problems), notices, broken };
}

/** Symptoms a built-in playbook used to answer that a team's playbook now takes, one notice per playbook. */
function takeovers(sources: readonly PlaybookSource[], playbooks: readonly Playbook[]): PlaybookProblem[] {
  const builtInIds = new Set(sources.filter((s) => s.builtIn).map((s) => s.playbook.id));
  const teamFiles = new Map(sources.filter((s) => !s.builtIn).map((s) => [s.playbook.id, s.file]));
  if (teamFiles.size === 0) return [];
  const builtIns = playbooks.filter((p) => builtInIds.has(p.id) && !teamFiles.has(p.id));
  if (builtIns.length === 0) return [];
  const taken = new Map<string, Map<string, string[]>>();
  const probes = [
    ...SYMPTOM_KINDS.map((k) => ({ label: k, kinds: [k], codes: [] as number[] })),
    ...[429, 500, 502, 503, 504].map((c) => ({ label: String(c), kinds: ['errors' as const], codes: [c] })),
  ];
  for (const probe of probes) {
    const symptom = {
      text: probe.label,
      service: null,
      serviceCandidates: [],
      kinds: probe.kinds,
      statusCodes: probe.codes,
      window: { start: new Date(0), end: new Date(0) },
      windowSource: 'default' as const,
      notes: [],
    };
    const before = selectPlaybook(builtIns, symptom).playbook.id;
    const after = selectPlaybook(playbooks, symptom).playbook.id;
    // A replacement by id is said by its own notice; a symptom the built-ins left to `general` is not taken.
    if (before === after || !teamFiles.has(after) || builtInIds.has(after) || !builtInIds.has(before)) continue;
    if (before === GENERAL_PLAYBOOK_ID) continue;
    const byBuiltIn = taken.get(after) ?? new Map<string, string[]>();
    byBuiltIn.set(before, [...(byBuiltIn.get(before) ?? []), probe.label]);
    taken.set(after, byBuiltIn);
  }
  return [...taken].map(([id, byBuiltIn]) => ({
    file: teamFiles.get(id) ?? id,
    path: 'match',
    message: `takes over symptoms from built-in playbooks: ${[...byBuiltIn]
      .map(([builtIn, labels]) => `${labels.join(', ')} (was ${builtIn})`)
      .join('; ')}`,
  }));
}

function unique(problems: readonly PlaybookProblem[]): PlaybookProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.file}\u0000${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function findCycle(steps: readonly Step[]): string[] | null {
  const deps = new Map(steps.map((s) => [s.id, s.when ? stepsReferenced(s.when) : []]));
  const state = new Map<string, 'visiting' | 'done'>();
  const walk = (id: string, path: string[]): string[] | null => {
    if (state.get(id) === 'done') return null;
    if (state.get(id) === 'visiting') return [...path, id];
    state.set(id, 'visiting');
    for (const d of deps.get(id) ?? []) {
      const found = walk(d, [...path, id]);
      if (found) return found;
    }
    state.set(id, 'done');
    return null;
  };
  for (const s of steps) {
    const found = walk(s.id, []);
    if (found) return found;
  }
  return null;
}
