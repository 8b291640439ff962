import type { Clock } from '../../domain/ports.js';

/** The machine's clock: wall time, a monotonic reading for durations, and Node's timers. */
export const systemClock: Clock = {
  now: () => new Date(),
  elapsedMs: () => performance.now(),
  after: (ms, fire) => {
    const timer = setTimeout(fire, ms);
    return () => clearTimeout(timer);
  },
};
