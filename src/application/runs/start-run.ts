import type { DiagnosisOutcome, RunEvent } from '../../domain/engine/types.js';
import type { ParsedSymptom } from '../../domain/symptom/symptom.js';
import type { DiagnoseRequest } from '../diagnose/diagnose.js';
import type { RunJournal } from '../diagnose/run-journal.js';
import type { RunAlertInfo, RunTrigger } from '../ports/run-store.js';
import { ChatError, type ChatMessage, type ChatPort } from './chat-port.js';
import type { RunMetrics } from './run-metrics.js';
import {
  concluded,
  failed,
  newRunState,
  type RunState,
  type RunStateHolder,
  type RunTransition,
  rootPosted,
  settled,
} from './run-state.js';
import type { RunRenderers, ThreadDelivery, ThreadReporter, ThreadReporterOptions } from './thread-ports.js';

export interface StartRunDeps {
  chat: Pick<ChatPort, 'post'>;
  /** The holder of the runs' states (the chat surface reads its runs there). */
  states: RunStateHolder & { add(state: RunState): void };
  render: RunRenderers;
  run: (request: DiagnoseRequest) => AsyncGenerator<RunEvent, DiagnosisOutcome>;
  delivery: ThreadDelivery;
  /** A reporter of one run's thread, starting from its state. */
  reporter: (state: RunState, options: ThreadReporterOptions) => ThreadReporter;
  logger: { warn(obj: Record<string, unknown>, msg: string): void };
  /** An error as short, safe text for logs and people. */
  describeError: (err: unknown) => string;
  /** Records every run and its events in the run store. */
  journal?: Pick<RunJournal, 'begin' | 'record' | 'update'> | undefined;
  /** Counts runs, step durations and data-source errors. */
  metrics?: RunMetrics | undefined;
  /** The data source a playbook step queries (`prometheus`, `logs`), for the metrics. */
  sourceOf?: ((playbook: string, stepId: string) => string) | undefined;
}

export interface StartRunRequest {
  runId: string;
  channel: string;
  userId: string;
  text: string;
  symptom: ParsedSymptom;
  /** Post the root inside this thread instead of at the top of the channel. */
  inThread?: string;
  /** The alert this run diagnoses, shown on the root. */
  alert?: RunAlertInfo;
  /** Post only the root (edited in place) and the ledger, no reply per step: for alert storms. */
  compact?: boolean;
  /** Post the root before other waiting posts of the channel (an alert's first answer). */
  urgent?: boolean;
  /** What started the run, for the run store (default `command`). */
  trigger?: RunTrigger;
  /** When the command was asked, for a run resumed after a restart (its root says so). */
  resumedFrom?: Date;
  /** Answers the person who asked, privately (a slash command's response URL), when the channel cannot be used. */
  tellAsker?: (message: ChatMessage) => Promise<unknown>;
  /** Called once the root is posted (the run is held), before the diagnosis starts. */
  onRootPosted?: (state: RunState) => void;
  /** Called once the diagnosis is over, while its last posts may still be on their way. */
  onFinished?: () => void;
}

/**
 * Starts a diagnosis in a chat thread: posts the root, records the run, opens its delivery, runs the diagnosis
 * through the thread's reporter, then finishes (status, metrics, delivery closed, root edits settled). Resolves with
 * the run's final state once it is over, or undefined when the root could not be posted.
 */
export async function startRun(deps: StartRunDeps, request: StartRunRequest): Promise<RunState | undefined> {
  const { runId, channel, symptom } = request;
  const { states } = deps;
  let state: RunState = newRunState({
    runId,
    channel,
    text: request.text,
    symptom,
    userId: request.userId,
    ...(request.alert ? { alert: request.alert } : {}),
    ...(request.resumedFrom ? { resumedFrom: request.resumedFrom } : {}),
  });
  /** The run's newest state: the holder's once the run is there. */
  const latest = (): RunState => {
    state = states.get(runId) ?? state;
    return state;
  };
  const update = (transition: RunTransition): RunState => {
    state = states.update(runId, transition) ?? transition(latest());
    return state;
  };
  try {
    const { ts } = await deps.chat.post(channel, deps.render.root(state), {
      ...(request.inThread ? { threadTs: request.inThread } : {}),
      urgent: request.urgent === true,
    });
    state = rootPosted(ts, request.inThread)(state);
  } catch (err) {
    const { tellAsker } = request;
    if (err instanceof ChatError && err.notMember && tellAsker)
      return settled(await runWithoutThread(deps, state, request, tellAsker));
    const error = err instanceof ChatError ? err.message : deps.describeError(err);
    deps.logger.warn({ runId, error }, 'could not post the root message');
    await tellAsker?.({ text: `I could not post in this channel (${error}).` });
    return undefined;
  }
  states.add(state);
  await begin(deps, state, request);
  // The run's delivery is open until its ledger is queued: a crash before then is resumed with the ledger.
  const durable = await deps.delivery.open(runId);
  request.onRootPosted?.(latest());
  const reporter = deps.reporter(latest(), {
    durable,
    ...(request.compact ? { compact: true } : {}),
    ...(request.onFinished ? { onFinished: request.onFinished } : {}),
  });
  const trigger = request.trigger ?? 'command';
  deps.metrics?.runStarted(trigger);
  try {
    await reporter.consume(diagnose(deps, runId, symptom));
  } catch (err) {
    update(failed);
    deps.logger.warn({ runId, error: deps.describeError(err) }, 'the run failed');
  } finally {
    deps.metrics?.runEnded(trigger, latest().status);
    if (durable) {
      // A failed diagnosis queued no ledger: close its delivery so the run settles once its replies are out.
      await reporter.closeDelivery();
      // The root says how many thread messages the chat never got.
      if (latest().undelivered > 0 && !deps.delivery.isStopped) await reporter.refreshRoot();
    }
    await deps.delivery.rootEditsSettled(runId);
    update(settled);
    // With a durable delivery, the store counts its failed messages itself; those sent around it are added to them.
    await deps.delivery.threadOver(runId, durable);
    if (!durable) {
      const { undelivered } = latest();
      if (undelivered > 0) await deps.journal?.update(runId, { undelivered });
    }
  }
  return latest();
}

/** The diagnosis's event stream, counted and journalled when there are metrics and a run store. */
function diagnose(
  deps: StartRunDeps,
  runId: string,
  symptom: ParsedSymptom,
): AsyncGenerator<RunEvent, DiagnosisOutcome> {
  let run = deps.run({ runId, symptom });
  if (deps.metrics) run = deps.metrics.observe(run, deps.sourceOf ?? (() => 'prometheus'));
  return deps.journal ? deps.journal.record(runId, run) : run;
}

/** Records the run in the store before its first event. */
async function begin(deps: StartRunDeps, state: RunState, request: StartRunRequest): Promise<void> {
  await deps.journal?.begin({
    id: state.runId,
    trigger: request.trigger ?? 'command',
    text: state.text,
    symptom: state.symptom,
    service: state.symptom.service,
    playbook: null,
    channel: state.channel,
    rootTs: state.rootTs || null,
    threadTs: state.threadTs || null,
    userId: request.alert ? null : state.userId,
    alert: state.alert ?? null,
  });
}

/**
 * The app is not in the channel: say how to invite it, run anyway, and answer the person who asked privately.
 * Returns the run's state with its outcome.
 */
async function runWithoutThread(
  deps: StartRunDeps,
  state: RunState,
  request: StartRunRequest,
  tellAsker: (message: ChatMessage) => Promise<unknown>,
): Promise<RunState> {
  await tellAsker({
    text: `I'm not a member of this channel, so I can't start a thread here. Invite me with \`/invite @Triage\`. Meanwhile I'll diagnose "${state.text}" and answer you here.`,
  });
  await begin(deps, state, request);
  const run = diagnose(deps, state.runId, state.symptom);
  let next = await run.next();
  while (!next.done) next = await run.next();
  const answered = concluded(next.value)(state);
  await tellAsker(deps.render.ledger(next.value, answered));
  return answered;
}
