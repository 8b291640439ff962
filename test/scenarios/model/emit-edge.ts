import type { Labels } from '../../support/prometheus/openmetrics-writer.js';
import { type HandleCache, TimedAccumulator } from './accumulators.js';
import type { Noise } from './noise.js';
import { scrapedAt } from './simulate.js';
import { BUCKETS, type Latency } from './stats.js';
import type { Pod, ServiceModel } from './types.js';

export type EdgeFailure = 'blackhole' | 'inflight' | 'no-endpoints';

/** A proxy in front of the service that reports its own view of every request. */
export interface Edge {
  /** Requests the application answered (the status passes through). */
  served(pod: Pod, method: string, code: number, n: number, latency: Latency, t: number): void;
  /** Requests that failed at the proxy: a crashed pod still in the endpoints, in flight at a crash, or no endpoints. */
  failed(pod: Pod | undefined, method: string, kind: EdgeFailure, n: number, t: number): void;
  scrape(t: number): void;
}

interface ProxyPod {
  name: string;
  ip: string;
  node: string;
  phase: number;
  ms: number;
}

export function createEdge(model: ServiceModel, handles: HandleCache, noise: Noise): Edge {
  if (typeof model.edge === 'function') return model.edge(model, handles, noise);
  return model.edge === 'istio' ? new IstioEdge(model, handles, noise) : new IngressNginxEdge(model, handles, noise);
}

const INGRESS_CONTROLLERS: readonly ProxyPod[] = [
  {
    name: 'ingress-nginx-controller-7c9f6d8b4-kq2zv',
    ip: '10.42.9.31',
    node: 'ip-10-0-1-87.eu-west-1.compute.internal',
    phase: 10,
    ms: 233,
  },
  {
    name: 'ingress-nginx-controller-7c9f6d8b4-w8x4m',
    ip: '10.42.33.40',
    node: 'ip-10-0-3-42.eu-west-1.compute.internal',
    phase: 40,
    ms: 718,
  },
];

/** ingress-nginx: one counter and one histogram per (controller, method, status); 502 when an upstream is gone. */
class IngressNginxEdge implements Edge {
  readonly #acc = new Map<string, { controller: ProxyPod; method: string; status: number; acc: TimedAccumulator }>();

  readonly model: ServiceModel;
  readonly handles: HandleCache;
  readonly noise: Noise;

  constructor(model: ServiceModel, handles: HandleCache, noise: Noise) {
    this.model = model;
    this.handles = handles;
    this.noise = noise;
  }

  #record(method: string, status: number, n: number, latency: Latency, t: number): void {
    const split = 0.5 + 0.04 * this.noise.smooth('ingress-split', t, 600);
    INGRESS_CONTROLLERS.forEach((controller, i) => {
      const key = `${controller.name} ${method} ${status}`;
      let entry = this.#acc.get(key);
      if (!entry) {
        entry = { controller, method, status, acc: new TimedAccumulator(BUCKETS.ingressNginx) };
        this.#acc.set(key, entry);
      }
      entry.acc.observe(n * (i === 0 ? split : 1 - split), latency);
    });
  }

  served(_pod: Pod, method: string, code: number, n: number, latency: Latency, t: number): void {
    this.#record(method, code, n, { ...latency, median: latency.median + 0.0015 }, t);
  }

  failed(_pod: Pod | undefined, method: string, kind: EdgeFailure, n: number, t: number): void {
    if (n <= 0) return;
    if (kind === 'no-endpoints') this.#record(method, 503, n, { median: 0.0004, sigma: 0.3 }, t);
    else if (kind === 'blackhole') this.#record(method, 502, n, { median: 0.0016, sigma: 0.4 }, t);
    else this.#record(method, 502, n, { median: 0.9, sigma: 0.8 }, t);
  }

  scrape(t: number): void {
    const m = this.model;
    for (const controller of INGRESS_CONTROLLERS) {
      if (!scrapedAt(controller.phase, t)) continue;
      const ts = t - controller.ms / 1000;
      const target = {
        job: 'kubernetes-pods',
        instance: `${controller.ip}:10254`,
        namespace: 'ingress-nginx',
        pod: controller.name,
        node: controller.node,
      };
      this.handles.series('up', 'up', `ingress|${controller.name}`, () => target).add(ts, 1);
      for (const [key, entry] of this.#acc) {
        if (entry.controller !== controller || entry.acc.shownCount < 1) continue;
        // The metric's own `namespace` label collides with the target's and is renamed exported_namespace.
        const labels = (): Labels => ({
          ...target,
          canary: '',
          controller_class: 'k8s.io/ingress-nginx',
          controller_namespace: 'ingress-nginx',
          controller_pod: controller.name,
          exported_namespace: m.namespace,
          host: `${m.service}.shop.example.com`,
          ingress: m.service,
          method: entry.method,
          path: '/',
          service: m.service,
          status: String(entry.status),
        });
        this.handles
          .series('nginx_ingress_controller_requests', 'nginx_ingress_controller_requests', key, labels)
          .add(ts, entry.acc.shownCount);
        this.handles
          .histogram('nginx_ingress_controller_request_duration_seconds', key, labels, entry.acc.bounds)
          .add(ts, {
            cumulative: entry.acc.bucketCounts(),
            sum: Math.round(entry.acc.sum * 1e3) / 1e3,
            count: entry.acc.shownCount,
          });
      }
    }
  }
}

const ISTIO_GATEWAYS: readonly ProxyPod[] = [
  {
    name: 'istio-ingressgateway-6b8d9c7f5-2xkqp',
    ip: '10.42.2.77',
    node: 'ip-10-0-1-23.eu-west-1.compute.internal',
    phase: 15,
    ms: 508,
  },
  {
    name: 'istio-ingressgateway-6b8d9c7f5-tq9nr',
    ip: '10.42.26.18',
    node: 'ip-10-0-2-151.eu-west-1.compute.internal',
    phase: 45,
    ms: 91,
  },
];

interface IstioEntry {
  reporter: 'source' | 'destination';
  /** Gateway (source) or application pod (destination) whose proxy reports. */
  proxy: string;
  code: number;
  flags: string;
  /** False when no endpoint was picked (UH): the destination workload is "unknown". */
  destinationKnown: boolean;
  acc: TimedAccumulator;
}

/** Istio: the ingress gateway reports as source, each pod's sidecar as destination. */
class IstioEdge implements Edge {
  readonly #acc = new Map<string, IstioEntry>();

  readonly model: ServiceModel;
  readonly handles: HandleCache;
  readonly noise: Noise;

  constructor(model: ServiceModel, handles: HandleCache, noise: Noise) {
    this.model = model;
    this.handles = handles;
    this.noise = noise;
  }

  #record(
    reporter: 'source' | 'destination',
    proxy: string,
    code: number,
    flags: string,
    destinationKnown: boolean,
    n: number,
    latency: Latency,
  ): void {
    if (n <= 0) return;
    const key = `${reporter} ${proxy} ${code} ${flags} ${destinationKnown}`;
    let entry = this.#acc.get(key);
    if (!entry) {
      entry = { reporter, proxy, code, flags, destinationKnown, acc: new TimedAccumulator(BUCKETS.istioMs) };
      this.#acc.set(key, entry);
    }
    entry.acc.observe(n, latency, 1000);
  }

  #source(code: number, flags: string, known: boolean, n: number, latency: Latency, t: number): void {
    const split = 0.5 + 0.05 * this.noise.smooth('gateway-split', t, 600);
    ISTIO_GATEWAYS.forEach((g, i) => {
      this.#record('source', g.name, code, flags, known, n * (i === 0 ? split : 1 - split), latency);
    });
  }

  served(pod: Pod, _method: string, code: number, n: number, latency: Latency, t: number): void {
    this.#record('destination', pod.name, code, '-', true, n, { ...latency, median: latency.median + 0.0008 });
    this.#source(code, '-', true, n, { ...latency, median: latency.median + 0.0025 }, t);
  }

  failed(pod: Pod | undefined, _method: string, kind: EdgeFailure, n: number, t: number): void {
    if (kind === 'no-endpoints' || !pod) {
      // No healthy upstream: the gateway answers 503 UH itself.
      this.#source(503, 'UH', false, n, { median: 0.00025, sigma: 0.3 }, t);
      return;
    }
    if (kind === 'blackhole') {
      // The sidecar is up but nothing listens on the application port: 503 UF at the destination.
      this.#record('destination', pod.name, 503, 'UF', true, n, { median: 0.0009, sigma: 0.3 });
      this.#source(503, '-', true, n, { median: 0.0031, sigma: 0.3 }, t);
    } else {
      // The process died mid-request: upstream connection termination.
      this.#record('destination', pod.name, 503, 'UC', true, n, { median: 0.7, sigma: 0.9 });
      this.#source(503, '-', true, n, { median: 0.702, sigma: 0.9 }, t);
    }
  }

  #labels(entry: IstioEntry, target: Labels): Labels {
    const m = this.model;
    const known = entry.destinationKnown;
    return {
      ...target,
      reporter: entry.reporter,
      source_workload: 'istio-ingressgateway',
      source_workload_namespace: 'istio-system',
      destination_workload: known ? m.service : 'unknown',
      destination_workload_namespace: known ? m.namespace : 'unknown',
      destination_service: `${m.service}.${m.namespace}.svc.cluster.local`,
      destination_service_name: m.service,
      destination_service_namespace: m.namespace,
      request_protocol: 'http',
      response_code: String(entry.code),
      response_flags: entry.flags,
      grpc_response_status: '',
      connection_security_policy: entry.reporter === 'destination' ? 'mutual_tls' : 'unknown',
    };
  }

  #emit(entry: IstioEntry, key: string, target: Labels, ts: number): void {
    if (entry.acc.shownCount < 1) return;
    const labels = () => this.#labels(entry, target);
    this.handles.series('istio_requests', 'istio_requests_total', key, labels).add(ts, entry.acc.shownCount);
    this.handles.histogram('istio_request_duration_milliseconds', key, labels, entry.acc.bounds).add(ts, {
      cumulative: entry.acc.bucketCounts(),
      sum: Math.round(entry.acc.sum * 1e3) / 1e3,
      count: entry.acc.shownCount,
    });
  }

  scrape(t: number): void {
    const job = 'istio-system/envoy-stats-monitor';
    for (const g of ISTIO_GATEWAYS) {
      if (!scrapedAt(g.phase, t)) continue;
      const ts = t - g.ms / 1000;
      const target = {
        job,
        instance: `${g.ip}:15090`,
        namespace: 'istio-system',
        pod: g.name,
        container: 'istio-proxy',
      };
      this.handles.series('up', 'up', `gw|${g.name}`, () => target).add(ts, 1);
      for (const [key, entry] of this.#acc)
        if (entry.reporter === 'source' && entry.proxy === g.name) this.#emit(entry, key, target, ts);
    }
    for (const pod of this.model.pods) {
      if (t < pod.created || t >= pod.deleted) continue;
      const phase = (pod.scrapePhase + 20) % 60;
      if (!scrapedAt(phase, t)) continue;
      const ts = t - ((pod.scrapeMs * 3) % 997) / 1000 - 0.001;
      const target = {
        job,
        instance: `${pod.ip}:15090`,
        namespace: this.model.namespace,
        pod: pod.name,
        container: 'istio-proxy',
      };
      this.handles.series('up', 'up', `sidecar|${pod.name}`, () => target).add(ts, 1);
      for (const [key, entry] of this.#acc)
        if (entry.reporter === 'destination' && entry.proxy === pod.name) this.#emit(entry, key, target, ts);
    }
  }
}
