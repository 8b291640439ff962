import type { Unit } from '../signals/signal.js';

function trim(x: number, digits: number): string {
  return Number(x.toPrecision(digits)).toString();
}

/** Formats a value for humans in its unit: `0.2104` ratio → `21%`, `0.35` seconds → `350 ms`. */
export function formatValue(value: number | null, unit: Unit): string {
  if (value === null || Number.isNaN(value)) return 'n/a';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞';
  switch (unit) {
    case 'ratio':
      return `${trim(value * 100, value * 100 >= 1 ? 3 : 2)}%`;
    case 'per_hour':
      return `${trim(value * 100, 2)}%/h`;
    case 'seconds':
      if (Math.abs(value) < 1) return `${trim(value * 1000, 3)} ms`;
      return `${trim(value, 3)} s`;
    case 'bytes': {
      const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
      let v = value;
      let i = 0;
      while (Math.abs(v) >= 1024 && i < units.length - 1) {
        v /= 1024;
        i++;
      }
      return `${trim(v, 3)} ${units[i]}`;
    }
    case 'per_second':
      return `${trim(value, 3)}/s`;
    case 'cores':
      return `${trim(value, 3)} cores`;
    default:
      return trim(value, 4);
  }
}

/** A move as people say it: ×3.2, ×40, ÷2.5, "from zero", "to zero". */
export function ratioText(ratio: number): string {
  if (!Number.isFinite(ratio)) return 'from zero';
  if (ratio >= 1) return `×${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(1)}`;
  if (ratio <= 0) return 'to zero';
  return `÷${(1 / ratio).toFixed(1)}`;
}
