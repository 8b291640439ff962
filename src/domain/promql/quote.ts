import { UnsafeQueryValueError } from '../errors.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const RE2_META = /[\\.+*?()|[\]{}^$]/g;

/**
 * Writes any string as a PromQL (and LogQL) double-quoted string literal. JSON's escaping is a subset of Go's,
 * which both languages use, so the value can never end the literal early; lone surrogates, which Go rejects, are
 * refused instead of sent.
 *
 * @example quoteLiteral('x"} or up{job=~".+"} #') // → "x\"} or up{job=~\".+\"} #"
 */
export function quoteLiteral(value: string): string {
  if (LONE_SURROGATE.test(value)) {
    throw new UnsafeQueryValueError(`The value ${JSON.stringify(value)} contains a lone UTF-16 surrogate.`);
  }
  return JSON.stringify(value);
}

/** Escapes RE2 metacharacters so a value matches itself literally inside `=~`, then quotes it. */
export function quoteRegexLiteral(value: string): string {
  return quoteLiteral(value.replace(RE2_META, '\\$&'));
}

/** True when `name` is a valid label name (label names can never come from user text unchecked). */
export function isLabelName(name: string): boolean {
  return LABEL_NAME.test(name);
}

/** `label="value"` with the value quoted; throws on an invalid label name (a programmer error). */
export function equalityMatcher(label: string, value: string): string {
  if (!isLabelName(label)) throw new UnsafeQueryValueError(`${JSON.stringify(label)} is not a valid label name.`);
  return `${label}=${quoteLiteral(value)}`;
}
