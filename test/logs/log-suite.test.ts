/**
 * Every service of the log corpus (test/fixtures/logs/services.ts), diagnosed end to end through the real Loki and
 * Elasticsearch adapters against fakes that answer like the real APIs (test/support/log-stores.ts). The metrics
 * show the symptom for the faults (the 5xx ratio up, nothing else moving) and nothing for the healthy services, so
 * only the logs can tell the causes apart.
 *
 * Many of these fail on purpose: they describe what the log evidence should give, and the engine is changed to meet
 * them afterwards. Do not weaken them to pass.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlaybooks } from '../../src/adapters/playbook-files/load-playbooks.js';
import { createDiagnoser, runToEnd } from '../../src/app/create-diagnoser.js';
import type { DiagnosisOutcome } from '../../src/domain/engine/types.js';
import type { Playbook } from '../../src/domain/playbook/schema.js';
import { redact } from '../../src/domain/redaction/redact.js';
import { toDiagnosisJson } from '../../src/domain/report/diagnosis-json.js';
import type { ParsedSymptom } from '../../src/domain/symptom/symptom.js';
import { AT, type CorpusService, esDocuments, lokiStreams, SERVICES, WINDOW } from '../fixtures/logs/services.js';
import { fakeElasticsearch, fakeLoki } from '../support/log-stores.js';
import { ScriptedMetricsSource, stepResponder } from '../support/scripted-metrics-source.js';

const LOKI = 'http://loki.test:3100';
const ELASTICSEARCH = 'http://elasticsearch.test:9200';

const FAMILIES = [
  'http_requests_total{code="200"}',
  'http_request_duration_seconds_bucket{le="0.1"}',
  'up',
  'process_start_time_seconds',
  'app_build_info',
];

type Values = Record<string, { usual: number; incident: number }>;

/**
 * The service's own metrics: steady traffic, latency, targets, processes and build; only the 5xx ratio may move, and
 * the process starts when a rollout replaced the pods.
 */
function metricsFor(service: CorpusService): Values {
  const faulty = service.cause !== 'healthy';
  const rollout = service.cause === 'bad-deploy';
  const errors = faulty ? { usual: 0.002, incident: 0.08 } : { usual: 0.002, incident: 0.002 };
  return {
    'code=~"429"': { usual: 0, incident: 0 },
    'code=~"500"': errors,
    'code=~"502"': { usual: 0, incident: 0 },
    'code=~"503"': { usual: 0, incident: 0 },
    'code=~"504"': { usual: 0, incident: 0 },
    'code=~"5.."': errors,
    'sum(rate(http_requests_total': { usual: 40, incident: 40 },
    histogram_quantile: { usual: 0.18, incident: 0.19 },
    'avg(up': { usual: 1, incident: 1 },
    'changes(process_start_time_seconds': { usual: 0, incident: rollout ? 3 : 0 },
    // The share of instances started within the last 30 minutes: all after a rollout, else none.
    'time() - process_start_time_seconds': { usual: 0, incident: rollout ? 1 : 0 },
    _build_info: { usual: 1, incident: 1 },
  };
}

const responder = (values: Record<string, { usual: number; incident: number }>) => stepResponder(values, WINDOW);

function symptom(service: string): ParsedSymptom {
  return {
    text: `errors on ${service} since 16:00`,
    service,
    serviceCandidates: [service],
    kinds: ['errors'],
    statusCodes: [500],
    window: WINDOW,
    windowSource: 'default',
    notes: [],
  };
}

type Store = 'loki' | 'elasticsearch';

async function diagnoseWith(store: Store, service: CorpusService, playbooks: readonly Playbook[]) {
  if (store === 'loki') fakeLoki(LOKI, SERVICES.flatMap(lokiStreams), AT);
  else fakeElasticsearch(ELASTICSEARCH, SERVICES.flatMap(esDocuments));
  const metrics = new ScriptedMetricsSource(service.name, FAMILIES, responder(metricsFor(service)));
  const diagnoser = await createDiagnoser(
    {
      prometheus: { url: 'http://prom.test', timeoutMs: 5000 },
      logs: store === 'loki' ? { loki: { url: LOKI } } : { elasticsearch: { url: ELASTICSEARCH } },
      deadlineMs: 30_000,
    },
    { metrics, clock: { now: () => AT }, playbooks },
  );
  return runToEnd(diagnoser.run({ runId: `${store}-${service.name}`, symptom: symptom(service.name) }));
}

/** Docker json-file and CRI wrappers, as they would leak into a template or a sample. */
const WRAPPERS = [
  /\{"log":/,
  /"stream":/,
  /\\"stream\\":/,
  / std(?:err|out) [FP] /,
  /^\d{4}-\d\d-\d\dT[\d:.]+Z std(?:err|out) /,
];
/** A template that is a JSON object with its strings masked (`{<str>:<str>,<str>:<num>…}`). */
const JSON_TEMPLATE = /^\s*\{\s*(?:<str>|"[^"]*")\s*:/;
const TRACE_ID = /\b[0-9a-f]{32}\b/g;
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g;

function describeLedger(result: DiagnosisOutcome): string {
  return result.hypotheses.map((h) => `${h.cause} ${h.confidence.toFixed(2)}`).join(', ') || 'no hypotheses';
}

describe.each<Store>(['loki', 'elasticsearch'])('log corpus through %s', (store) => {
  let playbooks: Playbook[];
  const rows: string[] = [];

  beforeAll(async () => {
    playbooks = await loadPlaybooks('playbooks');
  });

  afterAll(() => {
    if (rows.length) process.stderr.write(`\nLog corpus through ${store}\n${rows.join('\n')}\n`);
  });

  it.each(SERVICES.map((s) => [s.name, s] as const))(`%s (${store})`, async (_name, service) => {
    const result = await diagnoseWith(store, service, playbooks);
    const step = result.steps.find((s) => s.id === 'log-patterns');
    const patterns = step?.patterns ?? [];
    const top = patterns[0];
    const ledger = describeLedger(result);
    const leader = result.hypotheses[0];
    const against = top ? `${top.count}×${top.isNew ? ' new' : top.anomalous ? ' risen' : ''}` : 'no pattern';
    rows.push(
      `${service.name.padEnd(16)} ${service.cause.padEnd(26)} ${(leader && leader.confidence >= 0.5 ? leader.cause : 'none').padEnd(26)} ${(leader?.confidence ?? 0).toFixed(2)}  ${against}`,
    );
    const context = `${service.name} via ${store}: top pattern ${JSON.stringify(top?.template)}; ledger ${ledger}`;

    expect(step?.status, `${context}; ${step?.reason ?? ''}`).not.toBe('errored');
    expect(step?.status, context).not.toBe('skipped');

    // The top pattern is the one that explains the incident.
    if (service.topPattern === null) {
      expect.soft(patterns, context).toEqual([]);
    } else {
      expect.soft(top?.template ?? '', context).toContain(service.topPattern);
    }

    // What the engine shows is the application's message: no container wrapper, no raw JSON object.
    for (const p of patterns) {
      for (const text of [p.template, ...p.samples]) {
        for (const wrapper of WRAPPERS)
          expect.soft(text, `${context}: wrapper ${wrapper} in ${text.slice(0, 160)}`).not.toMatch(wrapper);
      }
      expect.soft(p.template, `${context}: JSON template`).not.toMatch(JSON_TEMPLATE);
    }

    // The ledger.
    if (service.cause === 'healthy') {
      for (const h of result.hypotheses) expect.soft(h.confidence, `${context}: ${h.cause}`).toBeLessThan(0.5);
    } else {
      expect.soft(result.hypotheses[0]?.cause, context).toBe(service.cause);
      expect.soft(result.hypotheses[0]?.confidence ?? 0, context).toBeGreaterThanOrEqual(0.5);
      // The claim quotes the pattern and its count.
      const top = result.hypotheses[0];
      expect
        .soft(top?.supporting.join('\n') ?? '', `${context}: the reasons quote the pattern`)
        .toMatch(/\[log: \d+× "/);
      if (service.callee !== undefined) {
        const reasons = result.hypotheses.find((h) => h.cause === service.cause)?.supporting ?? [];
        expect
          .soft(reasons.join('\n'), `${context}: the reasons must name ${service.callee}`)
          .toContain(service.callee);
      }
    }

    // Redaction, as every surface applies it: secrets go, trace ids, UUIDs and class names stay.
    const shown = JSON.stringify(toDiagnosisJson(result));
    for (const secret of service.secrets) expect.soft(shown, `${context}: secret shown`).not.toContain(secret);
    const rawSamples = patterns.flatMap((p) => p.samples).join('\n');
    const kept = [
      ...new Set([...(rawSamples.match(TRACE_ID) ?? []), ...(rawSamples.match(UUID) ?? [])]),
      ...service.keep.filter((k) => rawSamples.includes(k)),
    ];
    for (const id of kept) expect.soft(redact(rawSamples), `${context}: ${id} redacted`).toContain(id);
  });
});
