import type { ParsedSymptom } from '../../domain/symptom/symptom.js';
import type { RunStore } from '../ports/run-store.js';

/** Where a run's thread is: its channel and root message. */
export interface ThreadLink {
  channel: string;
  rootTs: string;
}

/** Service and window rounded to five minutes: two commands for the same thing a minute apart share a key. */
export function dedupeKeyOf(symptom: ParsedSymptom): string | null {
  if (!symptom.service) return null;
  const round = (d: Date) => Math.round(d.getTime() / 300_000);
  return `${symptom.service}|${round(symptom.window.start)}|${round(symptom.window.end)}`;
}

export interface TwinDeps {
  store: Pick<RunStore, 'claimKey' | 'releaseKey' | 'listRuns'>;
  /** This replica's name in the store's claims. */
  replica: string;
  /** How long a claim on a service+window holds at most (the diagnosis deadline plus slack). */
  claimMs: number;
  /** A run of this process still going for the same service and window. */
  running: (key: string) => { channel: string; rootTs: string } | undefined;
  logger: { warn(obj: Record<string, unknown>, msg: string): void };
}

/** A twin found: the diagnosis is already going, here (`thread` when its root is posted). */
export interface Twin {
  twin: true;
  thread?: ThreadLink;
}

/** No twin in this process: the key is reserved here until `end`; `claim` asks the other replicas. */
export interface TwinReservation {
  twin: false;
  /** Claims the key in the store; false (with the other replica's thread when found) when a replica holds it. */
  claim(channel: string): Promise<{ ok: true } | { ok: false; thread?: ThreadLink }>;
  /** Gives the store's claim back once the run is over. */
  releaseClaim(): Promise<void>;
  /** Forgets the reservation in this process. */
  end(): void;
}

const NO_KEY: TwinReservation = {
  twin: false,
  claim: () => Promise.resolve({ ok: true }),
  releaseClaim: () => Promise.resolve(),
  end: () => undefined,
};

/**
 * Decides twins, the same diagnosis (service and window) asked twice: this process's runs and reservations are
 * checked at once, without the database; the run store's claim is the check across replicas. A store that cannot
 * answer lets the work through (fail open).
 */
export class TwinClaims {
  private readonly deps: TwinDeps;
  /** Keys this process is starting or running. */
  private readonly reserved = new Set<string>();

  constructor(deps: TwinDeps) {
    this.deps = deps;
  }

  /** Claims a key for this replica in the store for `ms`; true when the store cannot answer. */
  async claim(key: string, ms: number): Promise<boolean> {
    try {
      return await this.deps.store.claimKey(key, this.deps.replica, ms);
    } catch (err) {
      this.deps.logger.warn(
        { key, error: err instanceof Error ? err.message : String(err) },
        'claim failed; going ahead',
      );
      return true;
    }
  }

  /** This workspace's twin of `symptom` in this process, or a reservation of its key. */
  reserve(teamId: string, symptom: ParsedSymptom): Twin | TwinReservation {
    const key = dedupeKeyOf(symptom);
    if (!key) return NO_KEY;
    const storeKey = `twin:${teamId}:${key}`;
    const running = this.deps.running(key);
    if (running || this.reserved.has(storeKey))
      return running?.rootTs
        ? { twin: true, thread: { channel: running.channel, rootTs: running.rootTs } }
        : { twin: true };
    this.reserved.add(storeKey);
    return {
      twin: false,
      claim: async (channel) => {
        if (await this.claim(storeKey, this.deps.claimMs)) return { ok: true };
        const thread = await this.runningInStore(channel, key);
        return thread ? { ok: false, thread } : { ok: false };
      },
      releaseClaim: () => this.deps.store.releaseKey(storeKey).catch(() => undefined),
      end: () => {
        this.reserved.delete(storeKey);
      },
    };
  }

  /** How many keys this process holds (empty once every run is over). */
  get held(): number {
    return this.reserved.size;
  }

  /** A running run in the channel for the same service and window, started by any replica. */
  private async runningInStore(channel: string, key: string): Promise<ThreadLink | undefined> {
    try {
      const running = await this.deps.store.listRuns({ channel, status: 'running', limit: 50 });
      const twin = running.find((r) => dedupeKeyOf(r.symptom) === key && r.rootTs);
      return twin?.channel && twin.rootTs ? { channel: twin.channel, rootTs: twin.rootTs } : undefined;
    } catch {
      return undefined;
    }
  }
}
