import { DEPLOY_WORD, detectKinds, KIND_RANK } from './detect-kinds.js';
import { findService, unique } from './find-service.js';
import { resolveWindow } from './resolve-window.js';
import { EDGE_WORDS } from './service-words.js';
import type { ParsedSymptom, ParseSymptomOptions } from './symptom.js';
import { extractTimes } from './time-phrases.js';
import { configuredZone } from './time-zones.js';

/**
 * Reads a free-text symptom ("502 on checkout since 14:05") into a service guess, symptom kinds, status codes and
 * a time window. Pure: the clock is `options.now`. Throws `SymptomError` only for times and durations it cannot use
 * (an impossible clock time, an `at` in the future, an empty or over-long window, an unknown time zone); text it
 * does not understand gives a result with no kinds and possibly no service.
 *
 * @example parseSymptom('502 on checkout since 14:05', { now }) // service 'checkout', kinds ['errors'], [502]
 */
export function parseSymptom(input: string, options: ParseSymptomOptions): ParsedSymptom {
  const text = input.trim();
  const now = options.now.getTime();
  if (Number.isNaN(now)) throw new RangeError('parseSymptom: options.now is not a valid date');
  const zone = configuredZone(options.timeZone);
  const notes: string[] = [];

  const lower = text.toLowerCase();
  // Phrases are quoted back as typed; toLowerCase keeps offsets for all but a few exotic characters.
  const display = lower.length === text.length ? text : lower;
  const extracted = extractTimes(maskChatMarkup(lower), display);
  const resolved = resolveWindow(extracted, options, { now, zone });
  notes.push(...resolved.notes);

  const rest = extracted.rest;
  const unread = /\bsince\s+(?:(?:the|a|our|last|latest|that|this)\s+)*([^\s,.;!?]+)/.exec(rest);
  if (unread?.[1] && !DEPLOY_WORD.test(unread[1])) {
    const phrase = display.slice(unread.index, unread.index + unread[0].length);
    notes.push(`"${phrase}" is not a time Triage can read, so it was ignored.`);
  }
  const detected = detectKinds(rest);
  const found = findService(rest);

  let service: string | null;
  let serviceCandidates: string[];
  const explicit = options.service?.trim();
  if (explicit) {
    service = explicit;
    serviceCandidates = unique([explicit, explicit.toLowerCase()]);
    if (found && !found.candidates.includes(explicit.toLowerCase())) {
      notes.push(`The text names "${found.candidates[0]}"; the explicit service "${explicit}" is used instead.`);
    }
  } else if (found) {
    service = found.candidates[0] ?? null;
    serviceCandidates = found.candidates;
  } else {
    service = null;
    serviceCandidates = [];
  }

  // A peer named with "from X" / "calls to X" that is not the service itself (nor the edge) is a dependency.
  const own = new Set((explicit ? serviceCandidates : (found?.guess ?? [])).map((c) => c.toLowerCase()));
  const isDependency = (peer: string[]): boolean => !peer.some((c) => own.has(c) || EDGE_WORDS.has(c));
  if (found?.peers.some(isDependency)) detected.kinds.add('dependency');

  const kinds = [...detected.kinds].sort((a, b) => KIND_RANK[a] - KIND_RANK[b]);
  const statusCodes = unique(detected.codes.sort((a, b) => a.index - b.index).map((c) => c.code));

  if (service === null) notes.push('No service named.');
  if (kinds.length === 0 && statusCodes.length === 0) notes.push('No symptom recognised in the text.');

  return {
    text,
    service,
    serviceCandidates,
    kinds,
    statusCodes,
    window: { start: new Date(resolved.start), end: new Date(resolved.end) },
    windowSource: resolved.source,
    notes,
  };
}

// Chat markup.

/**
 * Blanks out what Slack (or a chat habit) wraps around the words: mentions, channel links, URLs, emoji codes and
 * HTML entities; a link's label is kept. The text keeps its length so time phrases are still quoted as typed.
 */
function maskChatMarkup(lower: string): string {
  const blank = (m: string): string => ' '.repeat(m.length);
  let out = lower;
  // Each pattern is only tried when the character it cannot match without is present.
  if (out.includes('<')) {
    // <https://grafana/d/x|dashboard> → its label; <https://…>, <@U123|alice>, <#C1|ops>, <!here> → nothing.
    out = out
      .replace(/<[a-z][a-z0-9+.-]*:[^|>\s]*(?:\|([^>]*))?>/g, (m, label?: string) =>
        label === undefined ? blank(m) : `${' '.repeat(m.length - label.length - 1)}${label} `,
      )
      .replace(/<[@#!][^>]*>/g, blank);
  }
  if (out.includes('://')) out = out.replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/g, blank);
  // A bare @mention (@oncall, @alice.b); "@ 14:00" and "@14:00" are times.
  if (out.includes('@')) out = out.replace(/(?<![\w.])@[a-z][\w.-]*/g, blank);
  // Emoji codes (:fire:, :rotating_light:), never a clock time: they start with a letter.
  if (out.includes(':')) out = out.replace(/(?<![\w:]):[a-z][a-z0-9_+-]*:(?![\w:])/g, blank);
  if (out.includes('&')) out = out.replace(/&(?:gt|lt|amp|quot|nbsp);/g, blank);
  return out;
}
