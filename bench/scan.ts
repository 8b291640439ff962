/**
 * The "what moved" scan's cost on a real Prometheus: a service exposing 50, 500 and 5,000 families of its own
 * names (counters and gauges with noise, one of them moving), scanned with the default cap and with the cap
 * lifted. Prints the requests sent, the time taken, and whether the moving family ranks first.
 */
import { loadCatalog } from '../src/adapters/playbook-files/load-playbooks.js';
import { PrometheusMetricsSource } from '../src/adapters/prometheus/prometheus-metrics-source.js';
import { countingSource } from '../src/application/diagnose/counting-source.js';
import { discoverService } from '../src/domain/discovery/discover-service.js';
import { evaluateScanStep } from '../src/domain/engine/evaluate-scan-step.js';
import { ScanStepSchema } from '../src/domain/playbook/schema.js';
import { startLocalPrometheus } from '../test/support/prometheus/local-prometheus.js';
import { OpenMetricsWriter } from '../test/support/prometheus/openmetrics-writer.js';

const AT = Date.parse('2026-10-12T12:00:00Z') / 1000;
export const SCAN_SIZES = [50, 500, 5000] as const;
/** The scan step's default cap on families read. */
export const DEFAULT_CAP = ScanStepSchema.parse({ id: 'x', title: 'x', kind: 'scan' }).maxFamilies;

/** One service per size (`acme-50`, …) with that many families over 3 h; `acme_N_orders_failed_total` jumps at the end. */
function document(): Iterable<string> {
  const w = new OpenMetricsWriter();
  for (const size of SCAN_SIZES) {
    const job = `acme-${size}`;
    for (let i = 0; i < size; i++) {
      const counter = i % 2 === 0;
      const name = i === 0 ? `acme_${size}_orders_failed` : `acme_${size}_family_${i}${counter ? '' : '_level'}`;
      w.declare({ name, type: counter ? 'counter' : 'gauge', help: name });
      for (const instance of ['a', 'b']) {
        const s = w.series(name, counter ? `${name}_total` : name, { job, instance });
        let total = 0;
        for (let t = AT - 3 * 3600; t <= AT; t += 30) {
          const wobble = 1 + 0.2 * Math.sin((t / 300) * (1 + (i % 7)));
          const failing = i === 0 && t > AT - 600 ? 40 : 1;
          total += 2 * wobble * failing;
          s.add(t, counter ? Math.round(total) : Math.round(100 * wobble));
        }
      }
    }
  }
  return w.chunks();
}

export interface ScanCost {
  families: number;
  cap: number;
  read: number;
  requests: number;
  ms: number;
  topMover: string;
}

export async function benchScan(): Promise<ScanCost[]> {
  const prometheus = await startLocalPrometheus({ openMetrics: document() });
  try {
    const catalog = await loadCatalog();
    const end = new Date(AT * 1000);
    const window = { start: new Date(end.getTime() - 30 * 60_000), end };
    const out: ScanCost[] = [];
    for (const size of SCAN_SIZES) {
      for (const cap of [DEFAULT_CAP, 5000]) {
        if (cap > DEFAULT_CAP && size <= DEFAULT_CAP) continue;
        const source = countingSource(new PrometheusMetricsSource({ url: prometheus.url, timeoutMs: 30_000 }));
        const discovery = await discoverService(source, {
          candidates: [`acme-${size}`],
          window: { start: new Date(end.getTime() - 3 * 3_600_000), end },
          knownFamilies: catalog.signals.knownFamilies,
        });
        if (!discovery.found) throw new Error(`acme-${size} not found`);
        const before = source.count();
        const step = ScanStepSchema.parse({ id: 'what-moved', title: 'What moved', kind: 'scan', maxFamilies: cap });
        const t0 = performance.now();
        const result = await evaluateScanStep(step, {
          metrics: source,
          profile: discovery.profile,
          signals: catalog.signals,
          window,
          rateSeconds: 300,
          trendSeconds: 7200,
          precedingSeconds: 7200,
          signal: new AbortController().signal,
        });
        out.push({
          families: size,
          cap,
          read: result.scanned?.families ?? 0,
          requests: source.count() - before,
          ms: performance.now() - t0,
          topMover: result.evidence[0]?.labels?.family ?? '—',
        });
      }
    }
    return out;
  } finally {
    await prometheus.stop();
  }
}
