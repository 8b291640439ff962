const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Parses `30m`, `2h`, `1h30m`, `90s`, `1d` into seconds; null when it is not such a duration or is zero. */
export function parseDurationSeconds(text: string): number | null {
  const trimmed = text.trim();
  if (!/^(\d+[smhd])+$/.test(trimmed)) return null;
  let total = 0;
  for (const [, n, unit] of trimmed.matchAll(/(\d+)([smhd])/g))
    total += Number(n) * (UNIT_SECONDS[unit as string] ?? 0);
  return total > 0 ? total : null;
}
