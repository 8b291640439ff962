/** Whether a part has work in flight, and a way to wait until it has none (read-only: the part counts its work). */
export interface Idleness {
  /** True when no work is in flight. */
  readonly idle: boolean;
  /**
   * Resolves once no work is in flight: at once when idle now, else when the last piece of work ends. New work may
   * start right after; a caller that needs several parts idle together looks at `idle` again.
   */
  whenIdle(): Promise<void>;
}

/**
 * Counts work in flight and tells whoever waits when the count reaches zero. No timers: a part calls `begin()` as a
 * piece of work starts and the function it returns as the piece ends (once; calling it again does nothing).
 */
export class IdleSignal implements Idleness {
  #count = 0;
  #waiters: (() => void)[] = [];

  get idle(): boolean {
    return this.#count === 0;
  }

  /** Pieces of work in flight. */
  get count(): number {
    return this.#count;
  }

  /** Counts one piece of work; the function returned ends it. */
  begin(): () => void {
    this.#count++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.#count--;
      if (this.#count === 0) this.#wake();
    };
  }

  /** Counts `work` until it settles (fulfilled or rejected; a rejection is left to whoever awaits `work`). */
  track(work: Promise<unknown>): void {
    const end = this.begin();
    work.then(end, end);
  }

  whenIdle(): Promise<void> {
    if (this.#count === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** Resolves once every part is idle at the same moment (a part's work may start another's, so each is looked at
 * again after every wait). */
export async function allIdle(parts: readonly Idleness[]): Promise<void> {
  for (let busy = parts.find((p) => !p.idle); busy; busy = parts.find((p) => !p.idle)) await busy.whenIdle();
}
