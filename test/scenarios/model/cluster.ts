import { hash32, seededRandom } from './noise.js';
import type { ClusterNode, ContainerRun, ExitReason, Pod } from './types.js';

/** The worker nodes of the simulated cluster (shared by every scenario, like a real cluster). */
export const NODES: readonly ClusterNode[] = [
  { name: 'ip-10-0-1-23.eu-west-1.compute.internal', ip: '10.0.1.23' },
  { name: 'ip-10-0-1-87.eu-west-1.compute.internal', ip: '10.0.1.87' },
  { name: 'ip-10-0-2-14.eu-west-1.compute.internal', ip: '10.0.2.14' },
  { name: 'ip-10-0-2-151.eu-west-1.compute.internal', ip: '10.0.2.151' },
  { name: 'ip-10-0-3-42.eu-west-1.compute.internal', ip: '10.0.3.42' },
  { name: 'ip-10-0-3-199.eu-west-1.compute.internal', ip: '10.0.3.199' },
];

/** kube-state-metrics, scraped by its own job. */
export const KUBE_STATE_METRICS = { instance: '10.42.0.15:8080', scrapePhase: 25, scrapeMs: 412 } as const;

const POD_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const HEX = '0123456789abcdef';

export function randomString(rand: () => number, alphabet: string, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[Math.floor(rand() * alphabet.length)] ?? 'x';
  return s;
}

export function randomUid(rand: () => number): string {
  const h = randomString(rand, HEX, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function containerId(rand: () => number): string {
  return randomString(rand, HEX, 64);
}

/** A replica set's pod-template hash, e.g. "7d9f8b6c5". */
export function templateHash(seed: string): string {
  return randomString(seededRandom(hash32(`rs:${seed}`)), POD_ALPHABET, 9 + (hash32(seed) % 2));
}

export interface PodOptions {
  service: string;
  /** Distinguishes replica sets (a new template hash per version). */
  replicaSetSeed: string;
  slot: number;
  created: number;
  deleted?: number;
  version: string;
  revision: string;
  /** Process (re)starts: `[start, end, exit]`; end Infinity while running. Default: one run from `created`. */
  runs?: Array<readonly [number, number, ExitReason?]>;
  readySeconds?: number;
  lingerSeconds?: number;
}

/** Builds a pod with realistic, deterministic names and addresses. */
export function makePod(options: PodOptions): Pod {
  const rand = seededRandom(hash32(`pod:${options.service}:${options.replicaSetSeed}:${options.slot}`));
  const node = NODES[Math.floor(rand() * NODES.length)] ?? NODES[0];
  if (!node) throw new Error('no nodes');
  const nodeIndex = NODES.indexOf(node);
  const name = `${options.service}-${templateHash(`${options.service}:${options.replicaSetSeed}`)}-${randomString(rand, POD_ALPHABET, 5)}`;
  const ip = `10.42.${nodeIndex * 8 + 1 + Math.floor(rand() * 6)}.${2 + Math.floor(rand() * 250)}`;
  const uid = randomUid(rand);
  const runs: ContainerRun[] = (options.runs ?? [[options.created, Number.POSITIVE_INFINITY]]).map(
    ([start, end, exit]) => ({
      start,
      end,
      ...(exit === undefined ? {} : { exit }),
      containerId: containerId(rand),
    }),
  );
  return {
    slot: options.slot,
    name,
    ip,
    uid,
    node,
    created: options.created,
    deleted: options.deleted ?? Number.POSITIVE_INFINITY,
    version: options.version,
    revision: options.revision,
    runs,
    readySeconds: options.readySeconds ?? 8,
    lingerSeconds: options.lingerSeconds ?? 12,
    scrapePhase: 5 * Math.floor(rand() * 12),
    scrapeMs: 1 + Math.floor(rand() * 998),
  };
}

/** The run alive at t (process started and not yet exited), if any. */
export function runAt(pod: Pod, t: number): ContainerRun | undefined {
  if (t < pod.created || t >= pod.deleted) return undefined;
  for (const run of pod.runs) if (run.start <= t && t < run.end) return run;
  return undefined;
}

/** kube-state-metrics restartCount at t: container starts after the first one. */
export function restartCount(pod: Pod, t: number): number {
  let n = 0;
  for (const run of pod.runs) if (run.start <= t) n += 1;
  return Math.max(0, n - 1);
}

/** The reason of the most recent termination at or before t. */
export function lastTerminationAt(pod: Pod, t: number): ExitReason | undefined {
  let reason: ExitReason | undefined;
  for (const run of pod.runs) if (run.end <= t && run.exit !== undefined) reason = run.exit;
  return reason;
}

/** True while the container waits in CrashLoopBackOff (between a failed run and the next start). */
export function inCrashLoopBackOff(pod: Pod, t: number): boolean {
  for (let i = 0; i < pod.runs.length; i++) {
    const run = pod.runs[i];
    if (!run) continue;
    const next = pod.runs[i + 1];
    if (run.end <= t && (next === undefined || t < next.start) && (run.exit === 'Error' || run.exit === 'OOMKilled')) {
      return next !== undefined || t < pod.deleted;
    }
  }
  return false;
}

/**
 * Container runs of a crash loop: the process first dies at `firstCrash`, Kubernetes restarts it after its doubling
 * back-off (10 s, 20 s, 40 s … capped at 300 s) and each new process survives `survive[i]` seconds. The last entry
 * is the next start, still pending or running.
 */
export function crashLoopRuns(
  created: number,
  firstCrash: number,
  survive: readonly number[],
  exit: ExitReason,
): Array<[number, number, ExitReason?]> {
  const runs: Array<[number, number, ExitReason?]> = [[created, firstCrash, exit]];
  let backoff = 10;
  let start = firstCrash + backoff;
  for (const life of survive) {
    const end = start + life;
    runs.push([start, end, exit]);
    backoff = Math.min(300, backoff * 2);
    start = end + backoff;
  }
  runs.push([start, Number.POSITIVE_INFINITY]);
  return runs;
}
