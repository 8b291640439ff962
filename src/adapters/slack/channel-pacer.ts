export type Sleep = (ms: number) => Promise<void>;

const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Serialises posts per channel and spaces them at least `intervalMs` apart, because Slack allows about one
 * message per second per channel. Posts to one channel run in the order they were queued, whatever happens to
 * earlier ones; different channels do not wait for each other.
 */
export class ChannelPacer {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly lastStart = new Map<string, number>();
  private readonly intervalMs: number;
  private readonly sleep: Sleep;
  private readonly now: () => number;

  constructor(intervalMs: number, options: { sleep?: Sleep; now?: () => number } = {}) {
    this.intervalMs = intervalMs;
    this.sleep = options.sleep ?? realSleep;
    this.now = options.now ?? Date.now;
  }

  /** Queues `post` for `channel`; resolves or rejects with its result once it has run. */
  run<T>(channel: string, post: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(channel) ?? Promise.resolve();
    const result = previous.then(async () => {
      const wait = (this.lastStart.get(channel) ?? Number.NEGATIVE_INFINITY) + this.intervalMs - this.now();
      if (wait > 0) await this.sleep(wait);
      this.lastStart.set(channel, this.now());
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
    return result;
  }

  /** Channels with posts still queued or running. */
  pendingChannels(): number {
    return this.tails.size;
  }
}
