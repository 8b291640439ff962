/** A closed time interval in UTC. */
export interface TimeWindow {
  start: Date;
  end: Date;
}

export function windowSeconds(w: TimeWindow): number {
  return (w.end.getTime() - w.start.getTime()) / 1000;
}

export function shiftWindow(w: TimeWindow, seconds: number): TimeWindow {
  return { start: new Date(w.start.getTime() + seconds * 1000), end: new Date(w.end.getTime() + seconds * 1000) };
}

/** Formats a whole number of seconds as a PromQL duration (`90` → `1m30s`, `3600` → `1h`). */
export function formatPromDuration(totalSeconds: number): string {
  let s = Math.max(1, Math.round(totalSeconds));
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (s >= size) {
      parts.push(`${Math.floor(s / size)}${unit}`);
      s %= size;
    }
  }
  return parts.join('');
}
