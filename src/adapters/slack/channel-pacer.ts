import { type Idleness, IdleSignal } from '../../application/work/idle-signal.js';

export type Sleep = (ms: number) => Promise<void>;

const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

interface Task {
  post: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
  urgent: boolean;
}

interface Lane {
  tasks: Task[];
  tokens: number;
  at: number;
  /** Posts this channel may receive at once: `burst` until Slack answered 429 for it, then 1. */
  burst: number;
  running: boolean;
}

/**
 * Serialises posts per channel and paces them as Slack allows: about one message per second per channel, with
 * short bursts (a token bucket of `burst` posts refilled one per `intervalMs`). Posts to one channel run one at a
 * time in the order they were queued, except that an urgent post (a diagnosis's first message, a storm summary)
 * goes before the ordinary ones still waiting. Different channels do not wait for each other. After Slack answers
 * 429 for a channel, that channel gets no more bursts and waits out the `Retry-After`.
 */
export class ChannelPacer {
  private readonly lanes = new Map<string, Lane>();
  private readonly intervalMs: number;
  private readonly burst: number;
  private readonly sleep: Sleep;
  private readonly now: () => number;
  private readonly maxQueue: number;
  private limited = 0;
  /** Channels whose lane is draining (it drains while it has posts queued or running). */
  private readonly work = new IdleSignal();

  constructor(
    intervalMs: number,
    options: { burst?: number; sleep?: Sleep; now?: () => number; maxQueue?: number } = {},
  ) {
    this.intervalMs = intervalMs;
    this.burst = Math.max(1, options.burst ?? 1);
    this.sleep = options.sleep ?? realSleep;
    this.now = options.now ?? Date.now;
    this.maxQueue = options.maxQueue ?? 2000;
  }

  /**
   * Queues `post` for `channel`; resolves or rejects with its result once it has run. A channel holds at most
   * `maxQueue` waiting posts: past that an ordinary post is refused at once (the caller counts it undelivered).
   */
  run<T>(channel: string, post: () => Promise<T>, options: { urgent?: boolean } = {}): Promise<T> {
    const lane = this.lane(channel);
    if (lane.tasks.length >= this.maxQueue && options.urgent !== true)
      return Promise.reject(new Error(`channel_queue_full: ${lane.tasks.length} posts already wait for ${channel}`));
    return new Promise<T>((resolve, reject) => {
      const task: Task = {
        post,
        resolve: resolve as (value: unknown) => void,
        reject,
        urgent: options.urgent === true,
      };
      if (task.urgent) {
        // After the urgent posts already waiting, before every ordinary one.
        const firstOrdinary = lane.tasks.findIndex((t) => !t.urgent);
        lane.tasks.splice(firstOrdinary === -1 ? lane.tasks.length : firstOrdinary, 0, task);
      } else lane.tasks.push(task);
      if (!lane.running) void this.drain(lane);
    });
  }

  /**
   * Slack answered 429 for `channel`: no more bursts there, and nothing else until `retryAfterSeconds` have passed
   * (the Web API client retries the limited call itself).
   */
  rateLimited(channel: string, retryAfterSeconds: number): void {
    const lane = this.lane(channel);
    this.limited++;
    lane.burst = 1;
    lane.tokens = 0;
    lane.at = Math.max(lane.at, this.now() + Math.max(0, retryAfterSeconds) * 1000 - this.intervalMs);
  }

  /** Channels with posts still queued or running. */
  pendingChannels(): number {
    return this.work.count;
  }

  /** Idle when no channel has a post queued or running. */
  get idleness(): Idleness {
    return this.work;
  }

  /** Posts waiting, in all channels. */
  queued(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.tasks.length;
    return n;
  }

  /** 429 answers reported with `rateLimited` since start. */
  rateLimitedCount(): number {
    return this.limited;
  }

  private lane(channel: string): Lane {
    let lane = this.lanes.get(channel);
    if (!lane) {
      // Bounded: forget idle channels whose bucket has refilled (forgetting them changes nothing).
      if (this.lanes.size >= 10_000) {
        for (const [id, l] of this.lanes) {
          if (l.running || l.tasks.length > 0) continue;
          this.refill(l);
          if (l.tokens >= l.burst && l.at <= this.now()) this.lanes.delete(id);
        }
      }
      lane = { tasks: [], tokens: this.burst, at: this.now(), burst: this.burst, running: false };
      this.lanes.set(channel, lane);
    }
    return lane;
  }

  private refill(lane: Lane): void {
    const now = this.now();
    const elapsed = now - lane.at;
    if (elapsed > 0) {
      lane.tokens = Math.min(lane.burst, lane.tokens + (this.intervalMs > 0 ? elapsed / this.intervalMs : lane.burst));
      lane.at = now;
    }
  }

  private async drain(lane: Lane): Promise<void> {
    lane.running = true;
    const drained = this.work.begin();
    try {
      while (lane.tasks.length > 0) {
        this.refill(lane);
        if (lane.tokens < 1) {
          const wait = (1 - lane.tokens) * this.intervalMs + Math.max(0, lane.at - this.now());
          await this.sleep(wait);
          this.refill(lane);
        }
        lane.tokens = Math.max(0, lane.tokens - 1);
        const task = lane.tasks.shift();
        if (!task) break;
        try {
          task.resolve(await task.post());
        } catch (err) {
          task.reject(err);
        }
        // Spacing counts from when the post was done: a post the client had to retry after a 429 reached Slack
        // later than it started, and the next one must keep its distance from that.
        lane.at = Math.max(lane.at, this.now());
      }
    } finally {
      lane.running = false;
      drained();
    }
  }
}
