/**
 * Whether a vendor format applies to a text and whether one of its matches is a secret: the cheap hint check that
 * lets the redactor skip a format, and the keyword, identifier-label and entropy gates (see vendor-tokens.ts).
 *
 * Pure: no I/O, no node:* imports.
 */
import { KEYWORD_WINDOW, type VendorFormat } from './vendor-tokens.js';

/** Shannon entropy of a string, in bits per character. */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * Labels that name an identifier or a digest right before a value: `trace_id=`, `span `, `commit `, `sha256:`,
 * `request-id: "`… A keyword-gated value under such a label is not a secret.
 */
const ID_LABEL =
  /(?:trace|span|parent|request|req|correlation|commit|sha(?:1|256|512)?|digest|hash|checksum|etag|uuid|(?<![a-z])id)[\w.-]{0,12}[\s"'`]{0,2}(?:[:=]|=>)?[\s"'`]{0,2}$/i;

/** The text before `start` on the same line, at most KEYWORD_WINDOW characters. */
function lineBefore(input: string, start: number): string {
  const window = input.slice(Math.max(0, start - KEYWORD_WINDOW), start);
  const newline = Math.max(window.lastIndexOf('\n'), window.lastIndexOf('\r'));
  return newline < 0 ? window : window.slice(newline + 1);
}

/**
 * Whether a text may hold a token of this format: one of its hints (or, for a keyword-gated format, its keyword)
 * occurs in it. A cheap check that lets the redactor skip most formats on most messages.
 */
export function vendorFormatMayMatch(format: VendorFormat, text: string): boolean {
  if (format.keywords !== undefined && !format.keywords.test(text)) return false;
  return format.hints === undefined || format.hints.some((hint) => text.includes(hint));
}

/** Whether the text just before a match opens a marker that is not closed yet (the match is inside a marker). */
function insideMarker(before: string): boolean {
  const open = before.lastIndexOf('[redacted:');
  return open >= 0 && !before.includes(']', open);
}

/**
 * Whether a match of a vendor format is a secret to redact: its entropy threshold is met and, for keyword-gated
 * formats (which run over the whole text, markers included), the vendor keyword stands before it on its line, the
 * value is not labelled as an identifier and is not part of a marker (`[redacted:<a long custom kind>]`).
 */
export function vendorMatchIsSecret(format: VendorFormat, m: RegExpExecArray): boolean {
  if (format.keywords !== undefined) {
    const line = lineBefore(m.input, m.index);
    if (insideMarker(line)) return false;
    const before = line + (m.groups?.pre ?? '');
    if (!format.keywords.test(before) || ID_LABEL.test(before)) return false;
  }
  return format.minEntropy === undefined || shannonEntropy(m.groups?.secret ?? m[0]) >= format.minEntropy;
}
