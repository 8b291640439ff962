/** Edit distance between two strings (Levenshtein), for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/** The known names closest to `name`, best first: substring matches first, then by edit distance. */
export function closestNames(name: string, known: Iterable<string>, limit = 5): string[] {
  const target = name.toLowerCase();
  const scored: { name: string; score: number }[] = [];
  for (const k of new Set(known)) {
    const lower = k.toLowerCase();
    const contains = lower.includes(target) || target.includes(lower);
    const distance = editDistance(target, lower);
    const score = contains ? distance / 10 : distance;
    if (contains || distance <= Math.max(3, Math.ceil(target.length / 2))) scored.push({ name: k, score });
  }
  return scored
    .sort((x, y) => x.score - y.score || x.name.localeCompare(y.name))
    .slice(0, limit)
    .map((s) => s.name);
}
