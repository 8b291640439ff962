import type { Labels } from '../../support/prometheus/openmetrics-writer.js';
import type { HandleCache } from './accumulators.js';
import { inCrashLoopBackOff, KUBE_STATE_METRICS, lastTerminationAt, NODES, restartCount, runAt } from './cluster.js';
import { nodeScrapePhase, type ScrapeContext, scrapedAt } from './simulate.js';
import type { Pod, PodContext, ServiceModel } from './types.js';

/** What cAdvisor needs from the simulation for one pod. */
export interface PodInfraState {
  containerCpu: number;
  cfsPeriods: number;
  cfsThrottledPeriods: number;
  cfsThrottledSeconds: number;
  containerId: string;
  podCpu: number;
  readonly ctx: PodContext;
}

const MIB = 1024 * 1024;

function kubeletTarget(pod: Pod): Labels {
  return {
    job: 'kubelet',
    instance: `${pod.node.ip}:10250`,
    node: pod.node.name,
    endpoint: 'https-metrics',
    metrics_path: '/metrics/cadvisor',
    service: 'kubelet',
  };
}

function podCgroup(pod: Pod): string {
  return `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${pod.uid.replace(/-/g, '_')}.slice`;
}

/** cAdvisor series of one pod (kubelet /metrics/cadvisor), as kube-prometheus labels them. */
export function emitCadvisor(sc: ScrapeContext): void {
  const { model, pod, t, state, handles } = sc;
  const ts = sc.ts;
  const base = { ...kubeletTarget(pod), namespace: model.namespace, pod: pod.name };
  const cgroup = podCgroup(pod);
  const run = runAt(pod, t);
  const ctx = state.ctx;
  let workingSet = 0;
  const key = `${pod.name}|cadvisor`;
  const g = (family: string, k: string, labels: () => Labels, value: number) =>
    handles.series(family, family, `${key}|${k}`, labels).add(ts, value);
  const c = (family: string, k: string, labels: () => Labels, value: number) =>
    handles.series(family, `${family}_total`, `${key}|${k}`, labels).add(ts, value);
  if (run) {
    ctx.t = t;
    ctx.run = run;
    ctx.uptime = t - run.start;
    const cid = run.containerId;
    const labels = () => ({
      ...base,
      container: model.service,
      id: `${cgroup}/cri-containerd-${cid}.scope`,
      image: `registry.example.com/${model.namespace}/${model.service}:${pod.version}`,
    });
    const r = model.resources;
    const rss = r.rssBytes(ctx);
    // Page cache comes on top of RSS but is reclaimed first: the working set never exceeds the limit.
    const cache = (14 + 6 * ctx.noise.smooth(`cache:${pod.name}`, t, 1800)) * MIB;
    workingSet = Math.min(rss + cache, Math.max(rss, model.limits.memoryBytes - 0.3 * MIB));
    c('container_cpu_usage_seconds', cid, labels, round(state.containerCpu, 6));
    c('container_cpu_cfs_periods', cid, labels, Math.round(state.cfsPeriods));
    c('container_cpu_cfs_throttled_periods', cid, labels, Math.round(state.cfsThrottledPeriods));
    c('container_cpu_cfs_throttled_seconds', cid, labels, round(state.cfsThrottledSeconds, 6));
    g('container_memory_working_set_bytes', cid, labels, Math.round(workingSet));
    g('container_memory_rss', cid, labels, Math.round(rss * 0.97));
    g('container_spec_cpu_quota', cid, labels, Math.round(model.limits.cpuCores * 100000));
    g('container_spec_cpu_period', cid, labels, 100000);
    g('container_spec_memory_limit_bytes', cid, labels, model.limits.memoryBytes);
    g('container_threads', cid, labels, Math.round(r.threads(ctx) + (model.runtime === 'python' ? 0 : 1)));
    g('container_threads_max', cid, labels, model.limits.pidsMax);
    g('container_file_descriptors', cid, labels, Math.round(r.openFds(ctx) + 3));
  }
  if (model.edge === 'istio') {
    // The sidecar keeps running while the application container crash-loops.
    const sidecarId = `${pod.uid.slice(0, 8)}${pod.name.length.toString(16)}`.padEnd(64, '7');
    const labels = () => ({
      ...base,
      container: 'istio-proxy',
      id: `${cgroup}/cri-containerd-${sidecarId}.scope`,
      image: 'docker.io/istio/proxyv2:1.22.3',
    });
    const up = t - pod.created;
    const sidecarWs = (52 + 3 * ctx.noise.smooth(`sidecar:${pod.name}`, t, 1200)) * MIB;
    workingSet += sidecarWs;
    c('container_cpu_usage_seconds', sidecarId, labels, round(0.02 * up, 6));
    g('container_memory_working_set_bytes', sidecarId, labels, Math.round(sidecarWs));
    g('container_spec_memory_limit_bytes', sidecarId, labels, 1024 * MIB);
  }
  // The pod cgroup (container="") exists while the pod does; it sums its containers.
  const podLabels = () => ({ ...base, id: cgroup });
  c('container_cpu_usage_seconds', 'pod', podLabels, round(state.podCpu, 6));
  g('container_memory_working_set_bytes', 'pod', podLabels, Math.round(workingSet + 0.6 * MIB));
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function generationAt(model: ServiceModel, t: number): number {
  let gen = model.deployment.generations[0]?.[1] ?? 1;
  for (const [at, g] of model.deployment.generations) if (at <= t) gen = g;
  return gen;
}

function isReady(pod: Pod, t: number): boolean {
  const run = runAt(pod, t);
  return run !== undefined && t >= run.start + pod.readySeconds;
}

/** kube-state-metrics series for the service's pods and deployment. */
export function emitKubeStateMetrics(model: ServiceModel, handles: HandleCache, t: number): void {
  if (!scrapedAt(KUBE_STATE_METRICS.scrapePhase, t)) return;
  const ts = t - KUBE_STATE_METRICS.scrapeMs / 1000;
  const base = { job: 'kube-state-metrics', instance: KUBE_STATE_METRICS.instance };
  const g = (family: string, key: string, labels: () => Labels, value: number) =>
    handles.series(family, family, key, labels).add(ts, value);
  let existing = 0;
  let available = 0;
  let updated = 0;
  const latestVersion = [...model.pods].sort((a, b) => a.created - b.created).at(-1)?.version;
  for (const pod of model.pods) {
    if (t < pod.created || t >= pod.deleted) continue;
    existing += 1;
    const ready = isReady(pod, t);
    if (ready) available += 1;
    if (pod.version === latestVersion) updated += 1;
    const pl = { ...base, namespace: model.namespace, pod: pod.name, uid: pod.uid, container: model.service };
    const k = `${pod.name}|ksm`;
    handles
      .series('kube_pod_container_status_restarts', 'kube_pod_container_status_restarts_total', k, () => pl)
      .add(ts, restartCount(pod, t));
    g('kube_pod_container_status_ready', `${k}|ready`, () => pl, ready ? 1 : 0);
    g('kube_pod_container_status_running', `${k}|running`, () => pl, runAt(pod, t) ? 1 : 0);
    const reason = lastTerminationAt(pod, t);
    if (reason) g('kube_pod_container_status_last_terminated_reason', `${k}|${reason}`, () => ({ ...pl, reason }), 1);
    if (inCrashLoopBackOff(pod, t)) {
      g('kube_pod_container_status_waiting_reason', `${k}|clbo`, () => ({ ...pl, reason: 'CrashLoopBackOff' }), 1);
    }
    const lim = model.limits;
    for (const [family, resource, unit, value] of [
      ['kube_pod_container_resource_limits', 'cpu', 'core', lim.cpuCores],
      ['kube_pod_container_resource_limits', 'memory', 'byte', lim.memoryBytes],
    ] as const) {
      g(family, `${k}|${resource}`, () => ({ ...pl, node: pod.node.name, resource, unit }), value);
    }
  }
  const dl = { ...base, namespace: model.namespace, deployment: model.service };
  const gen = generationAt(model, t);
  const k = `${model.service}|deploy`;
  g('kube_deployment_metadata_generation', k, () => dl, gen);
  g('kube_deployment_status_observed_generation', k, () => dl, generationAt(model, t - 2));
  g('kube_deployment_spec_replicas', k, () => dl, model.deployment.replicas);
  g('kube_deployment_status_replicas', k, () => dl, existing);
  g('kube_deployment_status_replicas_available', k, () => dl, available);
  g('kube_deployment_status_replicas_unavailable', k, () => dl, Math.max(0, existing - available));
  g('kube_deployment_status_replicas_updated', k, () => dl, updated);
}

/** `up` of the shared infrastructure targets (every kubelet, kube-state-metrics). */
export function emitKubeletAndKsmUp(_model: ServiceModel, handles: HandleCache, t: number): void {
  for (const node of NODES) {
    const { phase, ms } = nodeScrapePhase(node.name);
    if (!scrapedAt(phase, t)) continue;
    handles
      .series('up', 'up', `kubelet|${node.name}`, () => ({
        job: 'kubelet',
        instance: `${node.ip}:10250`,
        node: node.name,
        endpoint: 'https-metrics',
        metrics_path: '/metrics/cadvisor',
        service: 'kubelet',
      }))
      .add(t - ms / 1000, 1);
  }
  if (scrapedAt(KUBE_STATE_METRICS.scrapePhase, t)) {
    handles
      .series('up', 'up', 'ksm', () => ({ job: 'kube-state-metrics', instance: KUBE_STATE_METRICS.instance }))
      .add(t - KUBE_STATE_METRICS.scrapeMs / 1000, 1);
  }
}
