export type Sleep = (ms: number) => Promise<void>;

const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Serialises posts per channel and paces them as Slack allows: about one message per second per channel, with
 * short bursts (a token bucket of `burst` posts refilled one per `intervalMs`). Posts to one channel run in the
 * order they were queued, whatever happens to earlier ones; different channels do not wait for each other.
 */
export class ChannelPacer {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly intervalMs: number;
  private readonly burst: number;
  private readonly sleep: Sleep;
  private readonly now: () => number;

  constructor(intervalMs: number, options: { burst?: number; sleep?: Sleep; now?: () => number } = {}) {
    this.intervalMs = intervalMs;
    this.burst = Math.max(1, options.burst ?? 1);
    this.sleep = options.sleep ?? realSleep;
    this.now = options.now ?? Date.now;
  }

  /** Waits until the channel's bucket has a token, then takes it. */
  private async take(channel: string): Promise<void> {
    const refill = () => {
      const b = this.buckets.get(channel) ?? { tokens: this.burst, at: this.now() };
      const elapsed = this.now() - b.at;
      b.tokens = Math.min(this.burst, b.tokens + (this.intervalMs > 0 ? elapsed / this.intervalMs : this.burst));
      b.at = this.now();
      this.buckets.set(channel, b);
      return b;
    };
    let bucket = refill();
    if (bucket.tokens < 1) {
      await this.sleep((1 - bucket.tokens) * this.intervalMs);
      bucket = refill();
    }
    bucket.tokens = Math.max(0, bucket.tokens - 1);
  }

  /** Queues `post` for `channel`; resolves or rejects with its result once it has run. */
  run<T>(channel: string, post: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(channel) ?? Promise.resolve();
    const result = previous.then(async () => {
      await this.take(channel);
      return post();
    });
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(channel, tail);
    void tail.then(() => {
      if (this.tails.get(channel) === tail) this.tails.delete(channel);
    });
    if (this.buckets.size > 10_000) this.buckets.clear();
    return result;
  }

  /** Channels with posts still queued or running. */
  pendingChannels(): number {
    return this.tails.size;
  }
}
