/** Terminal width the CLI text report is wrapped to. */
export const TEXT_WIDTH = 100;

const BULLET = /^(\s*)([+\-?•*]\s+)?/u;
/** A word, or a `quoted command` kept whole (it is meant to be copied). */
const WORD = /(?:`[^`]*`|[^ `])+|`/g;

function width(text: string): number {
  return [...text].length;
}

/**
 * Wraps one line to `max` columns at spaces. Continuation lines are indented like the text after the line's indent
 * and bullet (`+ `, `- `, `• `), so a wrapped item stays visibly one item. A word longer than the width (a URL, a
 * query without spaces) is never broken: it gets a line of its own, however wide; so is a command in backticks.
 */
export function wrapLine(line: string, max = TEXT_WIDTH): string[] {
  if (width(line) <= max) return [line];
  const [, indent = '', bullet = ''] = BULLET.exec(line) ?? [];
  const hang = ' '.repeat(width(indent) + width(bullet));
  const words = line.slice(indent.length + bullet.length).match(WORD) ?? [];
  const out: string[] = [];
  let current = indent + bullet;
  let empty = true;
  for (const word of words) {
    const candidate = empty ? current + word : `${current} ${word}`;
    if (empty || width(candidate) <= max) {
      current = candidate;
      empty = false;
      continue;
    }
    out.push(current);
    current = hang + word;
  }
  out.push(current);
  return out;
}

/** Wraps every line of a text (see `wrapLine`); lines for which `keep` holds (queries to copy) stay whole. */
export function wrapText(text: string, max = TEXT_WIDTH, keep: (line: string) => boolean = () => false): string {
  return text
    .split('\n')
    .flatMap((line) => (keep(line) ? [line] : wrapLine(line, max)))
    .join('\n');
}
