import NodeCache from 'node-cache';
import { AppError, DeadlineExceededError } from '../../domain/errors.js';
import type { QueryOptions } from '../../domain/ports.js';
import type { TimeWindow } from '../../domain/time-window.js';

/** Counters since construction: answers served from the cache, fresh keys, joins of an identical call, real calls. */
export interface CacheStats {
  hits: number;
  misses: number;
  deduplicated: number;
  delegated: number;
}

interface InFlight {
  promise: Promise<unknown>;
  controller: AbortController;
  /** Callers still waiting; when the last one aborts, the delegate call is aborted too. */
  waiters: number;
}

export interface QueryCacheOptions {
  /** How long an answer stays cached (seconds). */
  ttlSeconds: number;
  /** Most answers kept; when full, the oldest is evicted. */
  maxKeys: number;
  /** Most delegate calls running at once; later ones wait in FIFO order. */
  maxConcurrent: number;
}

/**
 * The caching core shared by the data-source decorators: answers cached with a TTL (node-cache), identical
 * concurrent calls run once, and at most `maxConcurrent` calls reach the source at the same time. Errors are never
 * cached; one caller's abort rejects only that caller, unless it was the last one waiting.
 */
export class QueryCache {
  readonly #cache: NodeCache;
  readonly #inFlight = new Map<string, InFlight>();
  readonly #limiter: Limiter;
  readonly #stats: CacheStats = { hits: 0, misses: 0, deduplicated: 0, delegated: 0 };

  constructor(options: QueryCacheOptions) {
    requirePositive('ttlSeconds', options.ttlSeconds);
    requirePositive('maxKeys', options.maxKeys);
    requirePositive('maxConcurrent', options.maxConcurrent);
    // useClones: false keeps hits cheap; callers get a fresh top-level array, and the element types are readonly.
    this.#cache = new NodeCache({
      stdTTL: options.ttlSeconds,
      maxKeys: options.maxKeys,
      useClones: false,
      checkperiod: options.ttlSeconds,
    });
    this.#limiter = new Limiter(options.maxConcurrent);
  }

  /** The cached answer for `key`, the answer of an identical call in flight, or a new call. */
  get<T>(key: string, options: QueryOptions | undefined, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return this.#get(key, options, call);
  }

  /** A snapshot of the counters. */
  stats(): CacheStats {
    return { ...this.#stats };
  }

  /** Drops every cached answer (in-flight calls still finish and are cached). */
  clear(): void {
    this.#cache.flushAll();
  }

  /** Stops node-cache's expiry timer; call on shutdown. */
  close(): void {
    this.#cache.close();
  }

  async #get<T>(key: string, options: QueryOptions | undefined, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const signal = options?.signal;
    if (signal?.aborted) throw abortError(signal);
    const cached = this.#cache.get<T>(key);
    if (cached !== undefined) {
      this.#stats.hits++;
      return copy(cached);
    }
    let entry = this.#inFlight.get(key);
    if (entry === undefined) {
      this.#stats.misses++;
      entry = this.#start(key, call, options?.priority ?? 0);
    } else {
      this.#stats.deduplicated++;
    }
    const result = (await this.#wait(key, entry, signal)) as T;
    return copy(result);
  }

  #start<T>(key: string, call: (signal: AbortSignal) => Promise<T>, priority: number): InFlight {
    const controller = new AbortController();
    const promise = this.#limiter
      .run(
        () => {
          this.#stats.delegated++;
          return call(controller.signal);
        },
        controller.signal,
        priority,
      )
      .then((value) => {
        this.#store(key, value);
        return value;
      })
      .finally(() => this.#forget(key, entry));
    // Every waiter may have left; the shared promise must still never reject unobserved.
    promise.catch(() => undefined);
    const entry: InFlight = { promise, controller, waiters: 0 };
    this.#inFlight.set(key, entry);
    return entry;
  }

  #forget(key: string, entry: InFlight): void {
    if (this.#inFlight.get(key) === entry) this.#inFlight.delete(key);
  }

  /** Waits for a shared call; this caller's abort rejects only this caller, unless it was the last one waiting. */
  #wait(key: string, entry: InFlight, signal: AbortSignal | undefined): Promise<unknown> {
    entry.waiters++;
    if (signal === undefined) return entry.promise;
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        entry.waiters--;
        if (entry.waiters === 0) {
          // Nobody wants this answer any more: stop the call, and let the next caller start a fresh one.
          this.#forget(key, entry);
          entry.controller.abort(signal.reason);
        }
        reject(abortError(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      entry.promise.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(err);
        },
      );
    });
  }

  #store(key: string, value: unknown): void {
    try {
      this.#cache.set(key, value);
    } catch {
      // ECACHEFULL: evict the oldest key (insertion order) and try once more; never fail a query over caching.
      const oldest = this.#cache.keys()[0];
      if (oldest === undefined) return;
      this.#cache.del(oldest);
      try {
        this.#cache.set(key, value);
      } catch {
        // Still full: serve the answer uncached.
      }
    }
  }
}

/** A fresh top-level array for array answers, so one caller cannot change another's; other values as they are. */
function copy<T>(value: T): T {
  return (Array.isArray(value) ? [...value] : value) as T;
}

/** Widens a window to a grid of `stepMs` (start floored, end ceiled), as Grafana's `getRangeSnapInterval` does. */
export function snapWindow(window: TimeWindow, stepMs: number): TimeWindow {
  if (!(stepMs > 0) || !Number.isFinite(stepMs)) return window;
  return {
    start: new Date(Math.floor(window.start.getTime() / stepMs) * stepMs),
    end: new Date(Math.ceil(window.end.getTime() / stepMs) * stepMs),
  };
}

export function cacheKey(...parts: readonly unknown[]): string {
  return JSON.stringify(parts);
}

/** The error an aborted waiter gets: a deadline stays a `DeadlineExceededError`, other reasons are rethrown. */
function abortError(signal: AbortSignal): unknown {
  const reason: unknown = signal.reason;
  if (reason instanceof AppError) return reason;
  if (typeof reason === 'object' && reason !== null && 'name' in reason && reason.name === 'TimeoutError') {
    return new DeadlineExceededError(
      "The run's deadline passed while waiting for a metrics query. Narrow the window or allow the run more time.",
      { cause: reason },
    );
  }
  return reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

function requirePositive(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`QueryCache: ${name} must be a positive number, not ${value}.`);
  }
}

interface Waiting {
  grant: () => void;
  priority: number;
}

/**
 * A semaphore: at most `limit` tasks run at once; waiting tasks go by priority, then first come, first served; a
 * waiting task whose signal aborts leaves the line.
 */
class Limiter {
  readonly #limit: number;
  #active = 0;
  /** Highest priority first; first come, first served within a priority. */
  readonly #queue: Waiting[] = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  /**
   * Runs `task` now if a slot is free (so the delegate is called synchronously), otherwise when one frees up and
   * no waiting task of a higher priority, or of the same priority and older, is left.
   */
  run<T>(task: () => Promise<T>, signal: AbortSignal, priority = 0): Promise<T> {
    if (signal.aborted) return Promise.reject(abortError(signal));
    if (this.#active < this.#limit) {
      this.#active++;
      return this.#runHoldingSlot(task);
    }
    return new Promise<void>((resolve, reject) => {
      const grant = (): void => {
        signal.removeEventListener('abort', onAbort);
        this.#active++;
        resolve();
      };
      const waiting: Waiting = { grant, priority };
      const onAbort = (): void => {
        const index = this.#queue.indexOf(waiting);
        if (index !== -1) this.#queue.splice(index, 1);
        reject(abortError(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const after = this.#queue.findIndex((w) => w.priority < priority);
      if (after === -1) this.#queue.push(waiting);
      else this.#queue.splice(after, 0, waiting);
    }).then(() => this.#runHoldingSlot(task));
  }

  async #runHoldingSlot<T>(task: () => Promise<T>): Promise<T> {
    try {
      return await task();
    } finally {
      this.#release();
    }
  }

  #release(): void {
    this.#active--;
    this.#queue.shift()?.grant();
  }
}
