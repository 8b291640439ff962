import { stepsReferenced } from '../engine/conditions.js';
import type { PlaybookProblem } from '../errors.js';
import { findSignal } from '../signals/catalog.js';
import { expandTemplate } from '../signals/resolve-signal.js';
import type { HypothesisSpec, Playbook, PlaybookFile, Step } from './schema.js';

export interface PlaybookSource {
  file: string;
  playbook: PlaybookFile;
}

/** Returns a syntax error message for a PromQL expression, or null when it parses. */
export type PromqlChecker = (query: string) => string | null;

/** Expands a raw step query with harmless values so its syntax can be checked at load time. */
export function sampleExpansion(query: string): string {
  return expandTemplate(query, {
    serviceLabel: 'job',
    service: 'example',
    windowSeconds: 1800,
    rateSeconds: 300,
    trendSeconds: 7200,
  });
}

/**
 * Resolves `include:` chains into runnable playbooks and checks what a schema cannot: unique ids, includes that
 * exist and do not loop, conditions that name existing steps, known signals, and raw queries that parse.
 */
export function composePlaybooks(
  sources: readonly PlaybookSource[],
  checkPromql: PromqlChecker,
): { playbooks: Playbook[]; problems: PlaybookProblem[] } {
  const problems: PlaybookProblem[] = [];
  const byId = new Map<string, PlaybookSource>();
  for (const source of sources) {
    const clash = byId.get(source.playbook.id);
    if (clash) {
      problems.push({
        file: source.file,
        path: 'id',
        message: `id "${source.playbook.id}" is also used by ${clash.file}`,
      });
      continue;
    }
    byId.set(source.playbook.id, source);
  }

  for (const source of sources) {
    source.playbook.steps.forEach((step, i) => {
      if (step.kind === 'logs') return;
      if (step.signal !== undefined && !findSignal(step.signal)) {
        problems.push({ file: source.file, path: `steps.${i}.signal`, message: `unknown signal "${step.signal}"` });
      }
      if (step.query !== undefined) {
        const error = checkPromql(sampleExpansion(step.query));
        if (error)
          problems.push({
            file: source.file,
            path: `steps.${i}.query`,
            message: `PromQL syntax error (after expanding $service and durations): ${error}`,
          });
      }
    });
  }

  const playbooks: Playbook[] = [];
  for (const source of sources) {
    if (source.playbook.kind !== 'playbook') continue;
    const order: PlaybookSource[] = [];
    // The playbook's own steps come first, then each include's, depth first: what a playbook is about is shown
    // first, and shared modules fill in the rest.
    const visit = (s: PlaybookSource, chain: string[]) => {
      if (!order.includes(s)) order.push(s);
      s.playbook.include.forEach((inc, i) => {
        const target = byId.get(inc);
        if (!target) {
          problems.push({ file: s.file, path: `include.${i}`, message: `no module or playbook with id "${inc}"` });
          return;
        }
        if (chain.includes(inc)) {
          problems.push({
            file: s.file,
            path: `include.${i}`,
            message: `include loop: ${[...chain, inc].join(' → ')}`,
          });
          return;
        }
        if (!order.includes(target)) visit(target, [...chain, inc]);
      });
    };
    visit(source, [source.playbook.id]);

    const steps: Step[] = [];
    const stepOrigin = new Map<string, string>();
    const hypotheses = new Map<string, HypothesisSpec>();
    for (const part of order) {
      for (const step of part.playbook.steps) {
        const origin = stepOrigin.get(step.id);
        if (origin) {
          if (origin !== part.file)
            problems.push({
              file: part.file,
              path: 'steps',
              message: `step "${step.id}" is also defined in ${origin}`,
            });
          else problems.push({ file: part.file, path: 'steps', message: `step id "${step.id}" is used twice` });
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

    const known = new Set(steps.map((s) => s.id));
    const checkRefs = (ids: readonly string[], file: string, path: string) => {
      for (const id of ids) {
        if (!known.has(id))
          problems.push({ file, path, message: `refers to step "${id}", which ${source.playbook.id} does not have` });
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
      problems.push({ file: source.file, path: 'steps', message: `steps wait on each other: ${cycle.join(' → ')}` });

    playbooks.push({
      id: source.playbook.id,
      title: source.playbook.title,
      ...(source.playbook.description ? { description: source.playbook.description } : {}),
      match: { kinds: source.playbook.match?.kinds ?? [], codes: source.playbook.match?.codes ?? [] },
      steps,
      hypotheses: [...hypotheses.values()],
      sources: order.map((o) => o.file),
    });
  }
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const key = `${p.file}\u0000${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { playbooks, problems: unique };
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
