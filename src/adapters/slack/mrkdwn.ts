/**
 * Safe text for Slack: mrkdwn escaping, truncation that never breaks markup, code spans and links.
 *
 * Slack decodes exactly three entities, `&amp;`, `&lt;` and `&gt;`; every value that did not come from this module
 * (symptom text, label values, log lines, reasons) goes through `escapeMrkdwn` so that `<!channel>`, `<@U123>` or
 * `<http://evil|click>` inside it is shown, not acted upon. The only raw `<…>` in our output is markup built here
 * (`link`, `userMention`).
 */

import type { MrkdwnElement, PlainTextElement } from '@slack/types';

export const ELLIPSIS = '…';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// C0 controls other than tab and newline, and DEL: invisible in Slack and sometimes rejected.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
const ENTITY = /^&(?:amp|lt|gt);/;

/** Replaces lone UTF-16 surrogates with U+FFFD, so the text can be encoded and cut safely. */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

/** Escapes Slack's three control characters (`&`, `<`, `>`), and replaces lone surrogates with U+FFFD. */
export function escapeMrkdwn(text: string): string {
  return wellFormed(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Collapses line breaks (and the blanks around them) to one space and drops control characters. */
export function oneLine(text: string): string {
  return text
    .replace(/\s*[\r\n\u2028\u2029]+\s*/g, ' ')
    .replace(CONTROL, '')
    .trim();
}

/**
 * The usual treatment of a foreign value in mrkdwn: one line, backticks turned into `ˋ` (so the value cannot open or
 * close one of our code spans), `&<>` escaped, cut to `max` characters.
 */
export function fitText(text: string, max: number): string {
  return truncate(escapeMrkdwn(oneLine(text).replace(/`/g, 'ˋ')), max);
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function isHigh(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLow(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** The last grapheme boundary at or before `cut` (looking at a small window around it). */
function graphemeBoundary(text: string, cut: number): number {
  if (cut <= 0 || cut >= text.length) return cut;
  const from = Math.max(0, cut - 32);
  const to = Math.min(text.length, cut + 32);
  let best = from;
  for (const { index } of segmenter.segment(text.slice(from, to))) {
    if (from + index > cut) break;
    best = from + index;
  }
  return best;
}

/** The longest prefix of at most `n` characters that ends outside an entity, a `<…>` markup and a grapheme. */
function safePrefix(text: string, n: number): string {
  let cut = Math.max(0, Math.min(n, text.length));
  const amp = cut > 0 ? text.lastIndexOf('&', cut - 1) : -1;
  if (amp !== -1) {
    const entity = ENTITY.exec(text.slice(amp, amp + 5));
    if (entity && amp + entity[0].length > cut) cut = amp;
  }
  const lt = cut > 0 ? text.lastIndexOf('<', cut - 1) : -1;
  if (lt !== -1) {
    const gt = text.indexOf('>', lt);
    if (gt === -1 || gt >= cut) cut = lt;
  }
  cut = graphemeBoundary(text, cut);
  if (cut > 0 && isHigh(text.charCodeAt(cut - 1)) && isLow(text.charCodeAt(cut))) cut--;
  return text.slice(0, cut);
}

function countBackticks(text: string): number {
  let n = 0;
  for (let i = text.indexOf('`'); i !== -1; i = text.indexOf('`', i + 1)) n++;
  return n;
}

/**
 * Cuts `text` to at most `max` UTF-16 code units, ending with `…` when cut. Never cuts inside an entity (`&amp;`),
 * a `<…>` link or mention, a surrogate pair or a grapheme cluster; closes a code span left open by the cut.
 */
export function truncate(text: string, max: number): string {
  const limit = Number.isFinite(max) ? Math.floor(max) : 0;
  const clean = wellFormed(text);
  if (clean.length <= limit) return clean;
  if (limit <= 0) return '';
  for (let budget = limit - 1; budget >= 0; budget--) {
    let kept = safePrefix(clean, budget);
    if (countBackticks(kept) % 2 === 0) return kept + ELLIPSIS;
    if (kept.endsWith('`')) {
      kept = kept.slice(0, -1);
      return kept + ELLIPSIS;
    }
    if (kept.length + 2 <= limit) return `${kept}\`${ELLIPSIS}`;
  }
  return ELLIPSIS;
}

/**
 * An inline code span for a foreign value: backticks become `ˋ` (U+02CB) so the value cannot close the span, line
 * breaks become spaces, `&<>` are escaped, and the content is cut to `max` characters.
 */
export function codeSpan(text: string, max = 300): string {
  const body = truncate(escapeMrkdwn(oneLine(text).replace(/`/g, 'ˋ')), Math.max(1, max));
  return body === '' ? '_(empty)_' : `\`${body}\``;
}

/**
 * A URL fit for `<url|label>`: only http(s), credentials removed, `|`, `<`, `>`, backticks and blanks
 * percent-encoded, `&` escaped as `&amp;`. Null when the URL is invalid or longer than `maxLength`.
 */
export function safeLinkUrl(raw: string, maxLength = 2000): string | null {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  url.username = '';
  url.password = '';
  const href = url.href
    .replace(/\|/g, '%7C')
    .replace(/</g, '%3C')
    .replace(/>/g, '%3E')
    .replace(/`/g, '%60')
    .replace(/\s/g, (c) => encodeURIComponent(c))
    .replace(/&/g, '&amp;');
  return href.length <= maxLength ? href : null;
}

/** A mrkdwn link `<url|label>` with an escaped label, or null when the URL is not safe to link. */
export function link(url: string, label: string): string | null {
  const safe = safeLinkUrl(url);
  if (!safe) return null;
  // A `|` in the label would read as a second separator inside `<url|label>`.
  const text = fitText(label.replace(/\|/g, '¦'), 200) || 'link';
  return `<${safe}|${text}>`;
}

/** `<@U123>` for a well-formed Slack user id; anything else is shown as an escaped code span, never as a mention. */
export function userMention(userId: string): string {
  return /^[UW][A-Z0-9]{2,20}$/.test(userId) ? `<@${userId}>` : codeSpan(userId, 40);
}

/**
 * Joins mrkdwn lines with newlines within `max` characters: whole lines while they fit, then a last line saying how
 * many were left out (`… 3 more`). A first line too long on its own is truncated.
 */
export function joinWithin(
  lines: readonly string[],
  max: number,
  more: (count: number) => string = (count) => `${ELLIPSIS} ${count} more`,
): string {
  const full = lines.join('\n');
  if (full.length <= max) return full;
  const n = lines.length;
  let kept = 0;
  let length = 0;
  while (kept < n) {
    const next = length + (kept ? 1 : 0) + (lines[kept] ?? '').length;
    const rest = n - kept - 1;
    const tail = rest ? 1 + more(rest).length : 0;
    if (next + tail > max) break;
    length = next;
    kept++;
  }
  if (kept > 0) return `${lines.slice(0, kept).join('\n')}\n${more(n - kept)}`;
  const tail = n > 1 ? `\n${more(n - 1)}` : '';
  if (max - tail.length < 2) return truncate(more(n), max);
  return truncate(lines[0] ?? '', max - tail.length) + tail;
}

/** Formats a 0–1 confidence as a whole percentage (`0.724` → `72%`). */
export function percent(confidence: number): string {
  if (!Number.isFinite(confidence)) return '?%';
  return `${Math.round(Math.min(1, Math.max(0, confidence)) * 100)}%`;
}

/** A mrkdwn text object for text built from escaped parts; `verbatim` so Slack adds no links or mentions of its own. */
export function mrkdwnText(text: string): MrkdwnElement {
  return { type: 'mrkdwn', text, verbatim: true };
}

/**
 * A plain_text object for a foreign value (headers, button labels): one line, `&<>` escaped like everywhere else
 * (Slack decodes the three entities for display), cut to `max`.
 */
export function plainText(text: string, max: number): PlainTextElement {
  return { type: 'plain_text', text: fitText(text, max) || ELLIPSIS, emoji: true };
}
