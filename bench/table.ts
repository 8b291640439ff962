/** The benchmark table: one row per figure, with its goal and whether it was met. */
export interface BenchRow {
  figure: string;
  value: string;
  goal: string;
  /** true met, false missed, null no goal. */
  pass: boolean | null;
}

export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN;
}

export function median(xs: readonly number[]): number {
  return percentile(xs, 50);
}

export function printTable(rows: readonly BenchRow[], out: (line: string) => void): void {
  const cells = rows.map((r) => [r.figure, r.value, r.goal, r.pass === null ? '—' : r.pass ? 'yes' : 'NO']);
  const header = ['figure', 'value', 'goal', 'met'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (row: string[]) => `| ${row.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  out(line(header));
  out(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of cells) out(line(row));
}
