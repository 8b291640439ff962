/**
 * Card numbers in free text: runs of digits checked by their first digit, their length, the way cards are printed
 * and the Luhn checksum, so that order numbers and timestamps are left alone.
 *
 * Pure: no I/O, no node:* imports.
 */

function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let n = digits.charCodeAt(i) - 48;
    if (double) {
      n *= 2;
      if (n > 9) n -= 9;
    }
    sum += n;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Card numbers start with 2–6 (Mastercard, Amex/Diners/JCB, Visa, Mastercard, Discover/UnionPay/Maestro). */
function isCardNumber(digits: string): boolean {
  return digits.length >= 13 && digits.length <= 19 && /^[2-6]/.test(digits) && luhnValid(digits);
}

/**
 * A run of digits separated by single spaces or dashes. Card numbers inside it are either one group of 13–19
 * digits, or groups written the way cards are printed, with one separator: 4-4-…-4-n (n from 3 to 7), or the
 * Amex/Diners 4-6-5 and 4-6-4.
 */
export function redactCardRun(run: string, marker: string): string | undefined {
  const groups: { start: number; end: number }[] = [];
  for (const match of run.matchAll(/\d+/g)) groups.push({ start: match.index, end: match.index + match[0].length });
  const digitsOf = (i: number, j: number): string => run.slice(groups[i]?.start, groups[j]?.end).replace(/[ -]/g, '');
  let out = '';
  let last = 0;
  let changed = false;
  let i = 0;
  while (i < groups.length) {
    const first = groups[i] as { start: number; end: number };
    let best = -1;
    const firstLen = first.end - first.start;
    if (firstLen >= 13 && firstLen <= 19 && isCardNumber(digitsOf(i, i))) best = i;
    if (firstLen === 4) {
      const sep = run[first.end];
      let total = 4;
      const lengths = [4];
      for (let j = i + 1; j < groups.length; j++) {
        const group = groups[j] as { start: number; end: number };
        const len = group.end - group.start;
        if (run[group.start - 1] !== sep || len < 3 || len > 7) break;
        total += len;
        if (total > 19) break;
        const layout = [...lengths, len].join('-');
        const printed = lengths.every((l) => l === 4) || layout === '4-6-5' || layout === '4-6-4';
        if (total >= 13 && printed && isCardNumber(digitsOf(i, j))) best = j;
        lengths.push(len);
      }
    }
    if (best < 0) {
      i++;
      continue;
    }
    out += run.slice(last, first.start) + marker;
    last = (groups[best] as { end: number }).end;
    changed = true;
    i = best + 1;
  }
  return changed ? out + run.slice(last) : undefined;
}
