import type { Sleep } from './channel-pacer.js';

const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A workspace-wide budget for one Web API method (a token bucket): `chat.update` is Tier 3, about 50 calls a
 * minute for the whole workspace, so root edits, alert counters and storm summaries share one budget instead of
 * each spending it and collecting 429s (which also pause every other call of the client).
 */
export class MethodBudget {
  private tokens: number;
  private at: number;
  private readonly perMinute: number;
  private readonly burst: number;
  private readonly sleep: Sleep;
  private readonly now: () => number;
  private tail: Promise<void> = Promise.resolve();

  constructor(perMinute: number, options: { burst?: number; sleep?: Sleep; now?: () => number } = {}) {
    this.perMinute = perMinute;
    this.burst = Math.max(1, options.burst ?? 5);
    this.sleep = options.sleep ?? realSleep;
    this.now = options.now ?? Date.now;
    this.tokens = this.burst;
    this.at = this.now();
  }

  /** Resolves when a call may be made (callers are served in order). */
  take(): Promise<void> {
    const turn = this.tail.then(async () => {
      this.refill();
      if (this.tokens < 1) {
        await this.sleep(((1 - this.tokens) * 60_000) / this.perMinute);
        this.refill();
      }
      this.tokens = Math.max(0, this.tokens - 1);
    });
    this.tail = turn;
    return turn;
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) * this.perMinute) / 60_000);
    this.at = now;
  }
}

/** No limit (tests and tools that do not share a workspace budget). */
export const UNLIMITED: Pick<MethodBudget, 'take'> = { take: () => Promise.resolve() };
