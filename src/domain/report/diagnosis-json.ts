import type { DiagnosisOutcome } from '../engine/types.js';
import { type Redactor, redact, redactDeep } from '../redaction/redact.js';

function iso(d: Date): string {
  return d.toISOString().replace(/\.000Z$/, 'Z');
}

function num(x: number | null): number | null {
  return x === null || !Number.isFinite(x) ? null : x;
}

/**
 * The `triage diagnose --json` contract (docs/causes.md): the documented fields keep their meaning; extra fields
 * (conclusion, links, thresholds, verdicts) are additions.
 */
export function toDiagnosisJson(result: DiagnosisOutcome, redactor: Redactor = redact): Record<string, unknown> {
  return redactDeep(diagnosisJson(result), redactor);
}

function diagnosisJson(result: DiagnosisOutcome): Record<string, unknown> {
  return {
    symptom: result.symptom,
    service: result.service,
    playbook: result.playbook,
    window: { start: iso(result.window.start), end: iso(result.window.end) },
    steps: result.steps.map((s) => ({
      id: s.id,
      title: s.title,
      status: s.status,
      evidence: s.evidence.map((e) => ({
        summary: e.summary,
        value: num(e.value),
        baseline: num(e.baseline),
        query: e.query,
        baselineSource: e.baselineSource,
        thresholds: e.thresholds,
        verdict: e.verdict,
        unit: e.unit,
        signal: e.signal,
        convention: e.convention,
        ...(e.note ? { note: e.note } : {}),
        ...(e.inferredFrom ? { inferredFrom: e.inferredFrom } : {}),
        ...(e.labels ? { labels: e.labels } : {}),
        link: e.link,
      })),
      ...(s.reason ? { reason: s.reason } : {}),
      ...(s.error ? { error: s.error } : {}),
      durationMs: s.durationMs,
    })),
    hypotheses: result.hypotheses.map((h) => ({
      cause: h.cause,
      title: h.title,
      confidence: h.confidence,
      supporting: h.supporting,
      against: h.against,
      mitigations: h.mitigations,
      verdict: h.verdict,
      limitedBy: h.limitedBy,
    })),
    conclusion: result.conclusion,
    notes: result.notes,
    suggestions: result.suggestions,
    ...(result.error ? { error: result.error } : {}),
    logPatterns: result.steps.flatMap((s) => (s.patterns ?? []).map((p) => ({ step: s.id, ...p }))),
    runId: result.runId,
    queries: result.queries,
    startedAt: iso(result.startedAt),
    finishedAt: iso(result.finishedAt),
  };
}
