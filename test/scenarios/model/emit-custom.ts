/**
 * HTTP metrics under names a team invented: hand-rolled counters and histograms registered with a Prometheus
 * client library (prom-client, client_golang, client_python), and DogStatsD metrics turned into Prometheus series
 * by a statsd_exporter sidecar. No convention in signals/*.yml names them; Triage must read them from their names
 * and labels. Each factory returns an `AppEmitter` for a scenario's `appEmitters` (with `runtimeHttp: false`).
 *
 * What the libraries do, and these emitters copy:
 * - prom-client and client_golang expose a counter under the name it was given (`acme_cart_requests_total`; a
 *   client_golang counter named `orders_http_requests_count` keeps that name in the text format promhttp serves
 *   by default); histograms get `_bucket{le}`, `_sum`, `_count`, with `le` in whatever unit the team chose.
 * - client_python appends `_total` to counters and exposes `_created` gauges (the label set's creation time) for
 *   counters and histograms unless PROMETHEUS_DISABLE_CREATED_SERIES is set.
 * - statsd_exporter turns a DogStatsD histogram (`|h`) into a summary with quantiles 0.5, 0.9, 0.99 over the last
 *   10 minutes (client_golang's MaxAge), keeping the value as sent (only `|ms` timers are divided by 1000), and
 *   DogStatsD tags into labels; the datadog clients add `service`, `env` and `version` tags from DD_SERVICE,
 *   DD_ENV and DD_VERSION.
 */
import type { Labels } from '../../support/prometheus/openmetrics-writer.js';
import type { TimedAccumulator } from './accumulators.js';
import type { RunState, ScrapeContext } from './simulate.js';
import type { AppEmitter, Pod, PodContext, ServiceModel } from './types.js';
import { gauge, round6, windowQuantile, writeHistogram } from './write.js';

export type DurationUnit = 'seconds' | 'milliseconds' | 'microseconds';

const PER_SECOND: Record<DurationUnit, number> = { seconds: 1, milliseconds: 1_000, microseconds: 1_000_000 };

/** The accumulator bounds (seconds) of a histogram whose `le` values are in `unit`. */
export function boundsInSeconds(bounds: readonly number[], unit: DurationUnit): number[] {
  return bounds.map((b) => b / PER_SECOND[unit]);
}

/** A geometric grid of bounds (seconds) fine enough to read quantiles from, for summaries. */
export function fineBounds(from = 0.0002, to = 120, factor = 1.1): number[] {
  const out: number[] = [];
  for (let b = from; b < to; b *= factor) out.push(Number(b.toPrecision(6)));
  return out;
}

/** A request counter the team registered itself. */
export interface RequestCounterSpec {
  /** The family as declared (a counter without `_total`; see `sample`). */
  family: string;
  /** The sample name exposed: `${family}_total`, or the bare family for a counter whose name has no `_total`. */
  sample: string;
  help: string;
  /** The label holding the status code (as a plain number, "503"). */
  status: string;
  route?: string;
  method?: string;
  /** client_python: a `<family>_created` gauge per label set. */
  created?: boolean;
}

/** A latency histogram the team registered itself. */
export interface LatencyHistogramSpec {
  family: string;
  help: string;
  unit: DurationUnit;
  /** Bucket bounds in `unit`, as the team wrote them (the model's `httpBuckets` must be these in seconds). */
  bounds: readonly number[];
  route?: string;
  method?: string;
  created?: boolean;
}

/** Outbound calls counted by hand, per peer and status. */
export interface ClientCounterSpec {
  family: string;
  sample: string;
  help: string;
  peer: string;
  status: string;
}

/** The creation time a client library records for a label set: the first time it saw it in this process. */
class CreatedTimes {
  readonly #times = new Map<string, number>();

  at(sc: ScrapeContext, ctx: PodContext, key: string): number {
    const id = `${sc.pod.name}|${ctx.run.containerId}|${key}`;
    let t = this.#times.get(id);
    if (t === undefined) {
      // A label set seen before the first scrape we render was created soon after the process started.
      const previousScrape = sc.ts - 60;
      const earliest = ctx.run.start + 1.5;
      t = previousScrape < earliest ? earliest + ((sc.pod.scrapeMs * 13) % 1000) / 1000 : previousScrape + 17.25;
      this.#times.set(id, t);
    }
    return round6(t);
  }
}

function routeLabels(spec: { route?: string; method?: string }, route: { route: string; method: string }): Labels {
  return {
    ...(spec.route ? { [spec.route]: route.route } : {}),
    ...(spec.method ? { [spec.method]: route.method } : {}),
  };
}

/**
 * A hand-rolled request counter and latency histogram. The counter has one series per route, method and status;
 * the histogram one per route and method (teams rarely put the status on it).
 */
export function handRolledHttp(counter: RequestCounterSpec, histogram?: LatencyHistogramSpec): AppEmitter {
  const created = new CreatedTimes();
  return (sc, rs, ctx, target) => {
    const writer = sc.handles.writer;
    writer.declare({ name: counter.family, type: 'counter', help: counter.help });
    if (counter.created) {
      writer.declare({ name: `${counter.family}_created`, type: 'gauge', help: counter.help });
    }
    for (const [key, { route, outcome, acc }] of rs.http) {
      if (acc.shownCount < 1) continue;
      const labels = () => ({ ...target, ...routeLabels(counter, route), [counter.status]: String(outcome.code) });
      const reset = rs.firstWrite(`${counter.family}|${key}`);
      sc.handles
        .series(counter.family, counter.sample, `${sc.pod.name}|${key}`, labels)
        .add(sc.ts, acc.shownCount, reset);
      if (counter.created) {
        const name = `${counter.family}_created`;
        gauge(sc, name, key, labels, created.at(sc, ctx, `${name}|${key}`));
      }
    }
    if (!histogram) return;
    writer.declare({ name: histogram.family, type: 'histogram', help: histogram.help });
    if (histogram.created) {
      writer.declare({ name: `${histogram.family}_created`, type: 'gauge', help: histogram.help });
    }
    const groups = new Map<string, { labels: Labels; accs: TimedAccumulator[] }>();
    for (const { route, acc } of rs.http.values()) {
      if (acc.shownCount < 1) continue;
      const labels = routeLabels(histogram, route);
      const key = JSON.stringify(labels);
      const group = groups.get(key) ?? { labels, accs: [] };
      group.accs.push(acc);
      groups.set(key, group);
    }
    for (const [key, group] of groups) {
      writeSpecHistogram(sc, rs, histogram, key, () => ({ ...target, ...group.labels }), group.accs);
      if (histogram.created) {
        const name = `${histogram.family}_created`;
        gauge(sc, name, key, () => ({ ...target, ...group.labels }), created.at(sc, ctx, `${name}|${key}`));
      }
    }
  };
}

/** One classic histogram from several accumulators (e.g. every status of a route), `le` in the spec's unit. */
function writeSpecHistogram(
  sc: ScrapeContext,
  rs: RunState,
  spec: LatencyHistogramSpec,
  key: string,
  labels: () => Labels,
  accs: readonly TimedAccumulator[],
): void {
  if (accs.some((acc) => acc.bounds.length !== spec.bounds.length)) {
    throw new Error(`${spec.family}: the model's httpBuckets must be the histogram's bounds in seconds`);
  }
  writeHistogram(sc, rs, spec.family, key, labels, accs, { le: spec.bounds, scale: PER_SECOND[spec.unit] });
}

/** A hand-rolled counter of outbound calls per peer and status (every URI of a peer summed). */
export function handRolledClientCounter(spec: ClientCounterSpec): AppEmitter {
  return (sc, rs, _ctx, target) => {
    sc.handles.writer.declare({ name: spec.family, type: 'counter', help: spec.help });
    const totals = new Map<string, { peer: string; code: string; n: number }>();
    for (const entry of rs.client.values()) {
      if (entry.code === undefined) throw new Error(`${spec.family}: every client outcome needs a status code`);
      const code = String(entry.code);
      const key = `${entry.client.peer} ${code}`;
      const total = totals.get(key) ?? { peer: entry.client.peer, code, n: 0 };
      total.n += entry.acc.shownCount;
      totals.set(key, total);
    }
    for (const [key, { peer, code, n }] of totals) {
      if (n < 1) continue;
      const reset = rs.firstWrite(`${spec.family}|${key}`);
      sc.handles
        .series(spec.family, spec.sample, `${sc.pod.name}|${key}`, () => ({
          ...target,
          [spec.peer]: peer,
          [spec.status]: code,
        }))
        .add(sc.ts, n, reset);
    }
  };
}

/** The statsd_exporter sidecar of each pod and what the app sends it with a DogStatsD client. */
export interface StatsdSidecarSpec {
  /** The scrape job of the sidecar (a PodMonitor's `namespace/name`). */
  job: string;
  port: number;
  /** statsd_exporter's version (`statsd_exporter_build_info`). */
  exporterVersion: string;
  /** The request counter as the mapping config names it (declared without `_total`). */
  counter: { family: string; help: string; status: string; route?: string };
  /** The DogStatsD histogram (`|h`, kept in the unit the app sends) as a summary. */
  timer: { family: string; help: string; unit: DurationUnit; route?: string };
  /** Tags the client adds to every metric (DD_SERVICE, DD_ENV, DD_VERSION). */
  constantTags(model: ServiceModel, pod: Pod): Labels;
}

/** statsd_exporter's default summary quantiles and objective window (client_golang MaxAge 10 min). */
const STATSD_QUANTILES = [0.5, 0.9, 0.99] as const;
const SUMMARY_MAX_AGE = 600;

interface Snapshot {
  t: number;
  count: number;
  cumulative: number[];
}

/**
 * The sidecar's own scrape (`up`, its build info and process start) and the app's DogStatsD metrics as it
 * exposes them: a counter per status and route, and a summary per route whose quantiles cover the last
 * 10 minutes of observations (read from the accumulator's fine buckets, so the model's `httpBuckets` must be
 * `fineBounds()` or similar). The sidecar is written at the app's scrape phase and only while the app listens.
 */
export function statsdSidecar(spec: StatsdSidecarSpec): AppEmitter {
  const history = new Map<string, Snapshot[]>();
  return (sc, rs, ctx, _appTarget) => {
    const { model, pod } = sc;
    const writer = sc.handles.writer;
    writer.declare({ name: spec.counter.family, type: 'counter', help: spec.counter.help });
    writer.declare({ name: spec.timer.family, type: 'summary', help: spec.timer.help });
    writer.declare({
      name: 'statsd_exporter_build_info',
      type: 'gauge',
      help: "A metric with a constant '1' value labeled by version, revision, branch, goversion from which statsd_exporter was built, and the goos and goarch for the build.",
    });
    const target: Labels = {
      job: spec.job,
      instance: `${pod.ip}:${spec.port}`,
      namespace: model.namespace,
      pod: pod.name,
      container: 'statsd-exporter',
      endpoint: 'metrics',
    };
    gauge(sc, 'up', 'statsd-exporter', () => target, 1);
    gauge(
      sc,
      'statsd_exporter_build_info',
      '',
      () => ({
        ...target,
        branch: 'HEAD',
        goarch: 'amd64',
        goos: 'linux',
        goversion: 'go1.23.4',
        revision: 'c0a390a2c43f77863278615b47d46e886bdca726',
        tags: 'unknown',
        version: spec.exporterVersion,
      }),
      1,
    );
    gauge(sc, 'process_start_time_seconds', 'statsd-exporter', () => target, round6(pod.created + 1.37));
    const tags = { ...target, ...spec.constantTags(model, pod) };
    for (const [key, { route, outcome, acc }] of rs.http) {
      if (acc.shownCount < 1) continue;
      const labels = () => ({
        ...tags,
        ...(spec.counter.route ? { [spec.counter.route]: route.route } : {}),
        [spec.counter.status]: String(outcome.code),
      });
      const reset = rs.firstWrite(`statsd|${spec.counter.family}|${key}`);
      sc.handles
        .series(spec.counter.family, `${spec.counter.family}_total`, `${pod.name}|statsd|${key}`, labels)
        .add(sc.ts, acc.shownCount, reset);
    }
    const groups = new Map<string, { route: string; accs: TimedAccumulator[] }>();
    for (const { route, acc } of rs.http.values()) {
      if (acc.shownCount < 1) continue;
      const group = groups.get(route.route) ?? { route: route.route, accs: [] };
      group.accs.push(acc);
      groups.set(route.route, group);
    }
    const scale = PER_SECOND[spec.timer.unit];
    for (const [key, group] of groups) {
      const labels = (): Labels => ({ ...tags, ...(spec.timer.route ? { [spec.timer.route]: group.route } : {}) });
      const bounds = group.accs[0]?.bounds ?? [];
      const cumulative = new Array<number>(bounds.length).fill(0);
      let count = 0;
      let sum = 0;
      for (const acc of group.accs) {
        for (let i = 0; i < bounds.length; i++) cumulative[i] = (cumulative[i] ?? 0) + (acc.cumulative[i] ?? 0);
        count += acc.count;
        sum += acc.sum * scale;
      }
      const id = `${pod.name}|${ctx.run.containerId}|${key}`;
      const snapshots = history.get(id) ?? [];
      const oldest = snapshots.find((s) => s.t >= sc.t - SUMMARY_MAX_AGE);
      snapshots.push({ t: sc.t, count, cumulative });
      while ((snapshots[0]?.t ?? sc.t) < sc.t - SUMMARY_MAX_AGE) snapshots.shift();
      history.set(id, snapshots);
      const k = `${pod.name}|statsd|${key}`;
      const family = spec.timer.family;
      if (oldest && count - oldest.count >= 1) {
        for (const q of STATSD_QUANTILES) {
          const value = windowQuantile(bounds, oldest, { count, cumulative }, q) * scale;
          sc.handles
            .series(family, family, `${k}|${q}`, () => ({ ...labels(), quantile: String(q) }))
            .add(sc.ts, round6(value));
        }
      }
      const reset = rs.firstWrite(`statsd|${family}|${key}`);
      sc.handles.series(family, `${family}_sum`, k, labels).add(sc.ts, round6(sum), reset);
      sc.handles.series(family, `${family}_count`, k, labels).add(sc.ts, Math.round(count), reset);
    }
  };
}
