export interface Levels {
  warn?: number | undefined;
  crit?: number | undefined;
}

export interface JudgeInput {
  value: number;
  baseline: number | null;
  thresholds?: Levels | undefined;
  change?: Levels | undefined;
  direction: 'up' | 'down';
}

export interface Judgement {
  status: 'ok' | 'warn' | 'crit';
  /** value ÷ baseline (up) or baseline ÷ value (down); null without a baseline. */
  ratio: number | null;
  /** True when the value is bad in absolute terms but no worse than the baseline. */
  chronic: boolean;
}

function level(value: number, levels: Levels, direction: 'up' | 'down'): 'ok' | 'warn' | 'crit' {
  const worse = (limit: number) => (direction === 'up' ? value >= limit : value <= limit);
  if (levels.crit !== undefined && worse(levels.crit)) return 'crit';
  if (levels.warn !== undefined && worse(levels.warn)) return 'warn';
  return 'ok';
}

function halfway(value: number, line: number, direction: 'up' | 'down'): boolean {
  return direction === 'up' ? value >= line / 2 : value <= line * 2;
}

function changeRatio(value: number, baseline: number, direction: 'up' | 'down'): number {
  const [num, den] = direction === 'up' ? [value, baseline] : [baseline, value];
  if (den === 0) return num > 0 ? Number.POSITIVE_INFINITY : 1;
  return num / den;
}

/**
 * Judges a value against absolute thresholds and against its baseline. Absolute thresholds say how bad a value
 * is; the baseline says whether it is new. A value past a threshold but no worse than usual is only `warn`
 * (chronic), and a relative jump that stays well under every threshold is `ok`: both matter to an on-call engineer,
 * neither is the incident. A jump past the change's crit factor that reaches halfway to the crit line is `warn`.
 */
export function judge(input: JudgeInput): Judgement {
  const { value, baseline, thresholds, change, direction } = input;
  const ratio = baseline === null ? null : changeRatio(value, baseline, direction);
  const absolute = thresholds ? level(value, thresholds, direction) : undefined;
  const relative = change && ratio !== null ? level(ratio, change, 'up') : undefined;
  if (absolute === undefined) return { status: relative ?? 'ok', ratio, chronic: false };
  // A large move counts on its own once the value is at least halfway to the crit line: CPU from 6 % to 60 % of the
  // quota is news even under the 70 % line; errors from 0.001 % to 0.09 % are not.
  const line = thresholds?.crit ?? thresholds?.warn;
  if (absolute === 'ok' && relative === 'crit' && line !== undefined && halfway(value, line, direction)) {
    return { status: 'warn', ratio, chronic: false };
  }
  if (absolute === 'ok' || relative === undefined || !change) return { status: absolute, ratio, chronic: false };
  if (relative === 'ok') return { status: 'warn', ratio, chronic: true };
  return { status: absolute, ratio, chronic: false };
}
