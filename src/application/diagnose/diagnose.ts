import { countingSource } from '../../application/diagnose/counting-source.js';
import { DEFAULT_SERVICE_LABELS, discoverService } from '../../domain/discovery/discover-service.js';
import { emptyProfile } from '../../domain/discovery/service-profile.js';
import { childSignal } from '../../domain/engine/child-signal.js';
import { ratioText } from '../../domain/engine/format-value.js';
import type { EngineOptions } from '../../domain/engine/run-playbook.js';
import { runPlaybook } from '../../domain/engine/run-playbook.js';
import { describeError, untilAborted } from '../../domain/engine/step-context.js';
import {
  type Conclusion,
  type DiagnosisOutcome,
  type DiagnosisResult,
  type HypothesisResult,
  limitedText,
  type RunEvent,
  type StepError,
  type StepResult,
} from '../../domain/engine/types.js';
import type { Playbook } from '../../domain/playbook/schema.js';
import { selectPlaybook } from '../../domain/playbook/select-playbook.js';
import type { Clock, LogSource, MetricsSource } from '../../domain/ports.js';
import type { ServiceMapping } from '../../domain/signals/schema.js';
import type { ParsedSymptom } from '../../domain/symptom/symptom.js';

export interface DiagnoseDeps {
  metrics: MetricsSource;
  /** Loki or Elasticsearch; without one, log steps are skipped and the run says so once. */
  logs?: LogSource;
  playbooks: readonly Playbook[];
  clock: Clock;
  /** Labels that may carry the service name; default per metrics.md. */
  serviceLabels?: readonly string[];
  /** A team's service mappings (aliases, dependencies named by hand) from the signals files. */
  mappings?: readonly ServiceMapping[];
  /** Whole-run deadline; default 60 s. */
  deadlineMs?: number;
  engine?: EngineOptions;
}

export interface DiagnoseRequest {
  runId: string;
  symptom: ParsedSymptom;
  /** Force a playbook instead of choosing by symptom. */
  playbookId?: string;
  signal?: AbortSignal;
}

/**
 * The diagnosis use-case as an event stream: choose the playbook, find the service, run the steps, score the
 * causes. Every surface (Slack, CLI, run store) consumes the same events; the generator's return value is the
 * final result, also carried by the `run-finished` event.
 */
export async function* diagnose(
  deps: DiagnoseDeps,
  request: DiagnoseRequest,
): AsyncGenerator<RunEvent, DiagnosisOutcome> {
  const queue: RunEvent[] = [];
  let wake: (() => void) | undefined;
  let done = false;
  const emit = (event: RunEvent) => {
    queue.push(event);
    wake?.();
  };
  // The deadline's timer is cleared when the run ends: a finished run holds no timer (AbortSignal.timeout would keep
  // its signal and everything hanging off it alive until the deadline, run after run).
  const deadline = new AbortController();
  const cancelDeadline = deps.clock.after(deps.deadlineMs ?? 60_000, () =>
    deadline.abort(new DOMException('The run reached its deadline.', 'TimeoutError')),
  );
  const work = execute(deps, request, emit, deadline.signal).finally(() => {
    cancelDeadline();
    done = true;
    wake?.();
  });
  while (true) {
    const next = queue.shift();
    if (next) {
      yield next;
      continue;
    }
    if (done) break;
    await new Promise<void>((resolve) => {
      wake = resolve;
    });
    wake = undefined;
  }
  return work;
}

async function execute(
  deps: DiagnoseDeps,
  request: DiagnoseRequest,
  emit: (e: RunEvent) => void,
  deadline: AbortSignal,
): Promise<DiagnosisOutcome> {
  const { symptom, runId } = request;
  const now = () => deps.clock.now();
  const startedAt = now();
  const metrics = countingSource(deps.metrics);
  const signal = request.signal ? AbortSignal.any([deadline, request.signal]) : deadline;
  const selection = request.playbookId
    ? {
        playbook:
          deps.playbooks.find((p) => p.id === request.playbookId) ?? selectPlaybook(deps.playbooks, symptom).playbook,
      }
    : selectPlaybook(deps.playbooks, symptom);
  const { playbook } = selection;
  const notes = [...symptom.notes];
  if ('note' in selection && selection.note) notes.push(selection.note);
  if (!deps.logs && playbook.steps.some((s) => s.kind === 'logs')) {
    notes.push('No log source is configured (LOKI_URL or ELASTICSEARCH_URL), so the log steps were skipped.');
  }
  emit({
    type: 'run-started',
    runId,
    symptom,
    service: symptom.service,
    playbook: playbook.id,
    window: symptom.window,
    steps: playbook.steps.map((s) => ({ id: s.id, title: s.title })),
    at: startedAt,
  });

  const finish = (
    parts: Pick<DiagnosisResult, 'steps' | 'hypotheses' | 'conclusion' | 'suggestions'> & {
      service: string | null;
      error?: StepError;
    },
  ): DiagnosisOutcome => {
    const result: DiagnosisOutcome = {
      runId,
      symptom: symptom.text,
      playbook: playbook.id,
      window: symptom.window,
      notes,
      queries: metrics.count(),
      startedAt,
      finishedAt: now(),
      ...parts,
    };
    emit({ type: 'run-finished', runId, result, at: result.finishedAt });
    return result;
  };

  if (symptom.serviceCandidates.length === 0) {
    return finish({
      service: null,
      steps: [],
      hypotheses: [],
      suggestions: [],
      conclusion: {
        kind: 'unknown-service',
        summary: 'No service named, so there is nothing to diagnose yet.',
        nextSteps: ['Name the service, e.g. "502 on checkout" or "errors for service checkout".'],
      },
    });
  }

  const discoveryWindow = {
    start: new Date(symptom.window.start.getTime() - (deps.engine?.precedingSeconds ?? 7200) * 1000),
    end: symptom.window.end,
  };
  let discovery: Awaited<ReturnType<typeof discoverService>>;
  try {
    const child = childSignal(signal);
    discovery = await untilAborted(
      discoverService(metrics, {
        candidates: symptom.serviceCandidates,
        window: discoveryWindow,
        labels: deps.serviceLabels ?? DEFAULT_SERVICE_LABELS,
        ...(deps.mappings ? { mappings: deps.mappings } : {}),
        knownFamilies: playbook.signals.knownFamilies,
        signal: child.signal,
      }),
      child.signal,
    ).finally(child.release);
  } catch (err) {
    const error = describeError(err);
    return finish({
      service: symptom.service,
      steps: [],
      hypotheses: [],
      suggestions: [],
      error,
      conclusion: { kind: 'failed', summary: `Could not look up the service: ${error.message}`, nextSteps: [] },
    });
  }
  if (!discovery.found && deps.logs && playbook.steps.some((s) => s.kind === 'logs')) {
    // Logs only: Prometheus does not know the service, but the log store may. Metric steps report no data.
    const service = symptom.serviceCandidates[0] ?? '';
    notes.push(`Prometheus has no metrics for "${service}"; only the log steps could run.`);
    discovery = { found: true, profile: emptyProfile(service), tried: discovery.tried, notes: [] };
  }
  if (!discovery.found) {
    const [first, ...others] = discovery.tried;
    const tried = `"${first ?? symptom.service ?? ''}"${
      others.length
        ? ` (nor for the other word${others.length === 1 ? '' : 's'} of the text: ${others.join(', ')})`
        : ''
    }`;
    const suggestions = discovery.suggestions;
    return finish({
      service: symptom.service,
      steps: [],
      hypotheses: [],
      suggestions,
      conclusion: {
        kind: 'unknown-service',
        summary: `Prometheus has no metrics for a service called ${tried} in this window.`,
        nextSteps: suggestions.length
          ? [`Did you mean ${suggestions.map((s) => `"${s}"`).join(', ')}? Name it with "for service <name>".`]
          : ['Check the service name and the time window; the service must expose metrics to Prometheus.'],
      },
    });
  }

  notes.push(...discovery.notes);
  const outcome = await runPlaybook({
    runId,
    playbook,
    profile: discovery.profile,
    window: symptom.window,
    metrics,
    ...(deps.logs ? { logs: deps.logs } : {}),
    signal,
    clock: deps.clock,
    emit,
    ...(deps.engine ? { options: deps.engine } : {}),
  });
  return finish({
    service: discovery.profile.service,
    steps: outcome.steps,
    hypotheses: outcome.hypotheses,
    suggestions: [],
    conclusion: concludeDiagnosis(outcome.steps, outcome.hypotheses),
  });
}

/** Says what the run found: a likely cause, no anomaly, or anomalies without a convincing cause. */
export function concludeDiagnosis(steps: readonly StepResult[], hypotheses: readonly HypothesisResult[]): Conclusion {
  // A scan's movers worth a look (warn) are shown, but only a critical move is an anomaly.
  const anomalies = steps.filter((s) => s.status === 'crit' || (s.status === 'warn' && s.scanned === undefined));
  const failed = steps.filter((s) => s.status === 'errored');
  const top = hypotheses[0];
  if (top && top.confidence >= 0.5) {
    const limited = top.limitedBy.length ? ` Confidence is ${limitedText(top)}.` : '';
    return {
      kind: 'likely-cause',
      cause: top.cause,
      confidence: top.confidence,
      summary: `Likely cause: ${top.title.toLowerCase()} (${Math.round(top.confidence * 100)}% confidence).${limited}`,
      nextSteps: top.mitigations.slice(0, 3),
    };
  }
  const scan = steps.find((s) => s.scanned !== undefined);
  const movers = scan?.status === 'crit' ? scan.evidence.filter((e) => e.verdict === 'crit') : [];
  const families = [...new Map(movers.map((e) => [e.labels?.family ?? e.signal, e])).values()];
  const moved = families.length
    ? ` These moved: ${families
        .slice(0, 3)
        .map((e) => `${e.labels?.family ?? e.signal}${e.ratio !== null ? ` (${ratioText(e.ratio)})` : ''}`)
        .join(', ')}; the cause is not certain.`
    : '';
  // A cause some evidence supports and no other matches: named as the likeliest, not as found.
  const second = hypotheses[1]?.confidence ?? 0;
  const leading =
    top && top.supporting.length > 0 && top.confidence > second
      ? ` The likeliest cause so far is ${top.title.charAt(0).toLowerCase()}${top.title.slice(1)} (${Math.round(top.confidence * 100)}%).`
      : '';
  // What could be measured: a diagnosis that read almost nothing says so instead of "no anomaly".
  const metricSteps = steps.filter(
    (s) => s.scanned === undefined && s.signatures === undefined && s.status !== 'skipped',
  );
  const measured = metricSteps.filter((s) => s.status === 'ok' || s.status === 'warn' || s.status === 'crit');
  const thin = metricSteps.length > 0 && measured.length / metricSteps.length < 0.25;
  if (anomalies.length === 0 && failed.length === 0) {
    if (thin) {
      return {
        kind: 'inconclusive',
        summary: `Little could be measured: ${measured.length} of ${metricSteps.length} signals had data, and ${
          scan ? 'nothing the scan of every metric read moved' : 'none of them is out of its range'
        }. This is not evidence that nothing is wrong.`,
        nextSteps: [
          'See what Triage can read for the service (`triage signals explain --service …` or `/diagnose explain …`) and map the rest in a signals file.',
          'Check the symptom from the client side: the service name, the time window, the edge in front of it.',
        ],
      };
    }
    return {
      kind: 'no-anomaly',
      summary: `No anomaly found: every signal measured (${measured.length} of ${metricSteps.length}) is within its thresholds and its baseline.`,
      nextSteps: [
        'Check that the symptom is visible from here: the service name, the time window, the client side.',
        'If users still see it, widen the window ("for the last 2h") or name the exact time ("at 14:05").',
      ],
    };
  }
  const names = anomalies
    .filter((s) => s !== scan)
    .map((s) => s.title.toLowerCase())
    .join(', ');
  const why = failed.length
    ? ` ${failed.length} step(s) could not run (${failed.map((s) => s.id).join(', ')}), so the picture is incomplete.`
    : '';
  return {
    kind: 'inconclusive',
    summary: names
      ? `Anomalies found (${names}), but no cause reached 50% confidence.${moved}${leading}${why}`
      : moved
        ? `An anomaly, cause unknown.${moved}${leading}${why}`
        : `No anomaly in what could be measured.${why}`,
    nextSteps: hypotheses
      .filter((h) => h.verdict === 'possible')
      .slice(0, 2)
      .flatMap((h) => h.mitigations.slice(0, 1)),
  };
}
