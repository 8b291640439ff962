import type { Clock } from '../../../src/domain/ports.js';

/**
 * A clock that moves only when told: `now()` starts at `start`, `advance` moves it and the monotonic reading on,
 * firing the timers that fall due. `tick` moves it on by a fixed step at every monotonic reading.
 */
export class FakeClock implements Clock {
  private ms = 0;
  private nextId = 0;
  private readonly timers = new Map<number, { at: number; fire: () => void }>();

  private readonly start: Date;
  private readonly tick: number;

  constructor(start: Date, tick = 0) {
    this.start = start;
    this.tick = tick;
  }

  now(): Date {
    return new Date(this.start.getTime() + this.ms);
  }

  elapsedMs(): number {
    const reading = this.ms;
    this.ms += this.tick;
    return reading;
  }

  after(ms: number, fire: () => void): () => void {
    const id = this.nextId++;
    this.timers.set(id, { at: this.ms + ms, fire });
    return () => this.timers.delete(id);
  }

  /** Timers set and not yet fired nor cancelled. */
  get pending(): number {
    return this.timers.size;
  }

  advance(ms: number): void {
    this.ms += ms;
    for (const [id, timer] of [...this.timers].sort((a, b) => a[1].at - b[1].at)) {
      if (timer.at > this.ms) continue;
      this.timers.delete(id);
      timer.fire();
    }
  }
}
