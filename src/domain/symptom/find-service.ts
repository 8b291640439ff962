import {
  CHAT_WORDS,
  DECORATION_WORDS,
  DESCRIPTIVE_SUFFIXES,
  DETERMINERS,
  DURATION_TOKEN,
  EDGE_WORDS,
  FILLER,
  NAME_SUFFIXES,
  NAME_TOKEN,
  PEOPLE,
  PREPOSITIONS,
  REPORTER,
  STOP_WORDS,
  SUBJECT_PARTS,
  SYMPTOM_PHRASES,
  SYMPTOM_TOKEN,
  VERBS,
} from './service-words.js';

interface Phrase {
  candidates: string[];
  /** Index of the first token after the phrase. */
  next: number;
}

interface FoundService {
  /** The grammar's best guess, as its candidate list; empty when the grammar found no service phrase. */
  guess: string[];
  /** The guess, then every other word or word pair that could be a service, in text order. */
  candidates: string[];
  /** Other services named as peers ("from X", "calls to X"), each as its candidate list. */
  peers: string[][];
}

function isName(token: string | undefined): token is string {
  return (
    token !== undefined &&
    NAME_TOKEN.test(token) &&
    /[a-z]/.test(token) &&
    !STOP_WORDS.has(token) &&
    !PEOPLE.has(token) &&
    !DESCRIPTIVE_SUFFIXES.has(token) &&
    token !== 'api' &&
    !VERBS.has(token) &&
    !CHAT_WORDS.has(token) &&
    !SYMPTOM_TOKEN.test(token) &&
    !DURATION_TOKEN.test(token) &&
    // "shop/checkout" is a namespaced name when each part is one.
    (!token.includes('/') || token.split('/').every((part) => isName(part)))
  );
}

/** A word that may be tried as a service after the best guess: a name that discovery would not read as decoration. */
function isOtherName(token: string | undefined): token is string {
  return isName(token) && token.length > 1 && !DECORATION_WORDS.has(token);
}

function isSuffix(token: string | undefined): token is string {
  return token !== undefined && (NAME_SUFFIXES.has(token) || DESCRIPTIVE_SUFFIXES.has(token));
}

function tokenize(rest: string): string[] {
  const t = rest
    .replace(/['’]s\b/g, '')
    .replace(REPORTER, ' , ')
    .replace(SYMPTOM_PHRASES, ' § ')
    .replace(/\bsince\s+(?:the\s+|a\s+|last\s+)?\S+/g, ' , ')
    .replace(/["'“”‘’`*_]{1,3}(?=\s|$)|(?<=\s|^)["'“”‘’`*_]{1,3}/g, ' ')
    .replace(/\p{Extended_Pictographic}|\u{FE0F}|\u{200D}/gu, ' ')
    .replace(/[,;!?()[\]{}<>|\\]/g, ' , ')
    // A slash joins a namespace and a name ("shop/checkout"); elsewhere ("503/504", "errors /") it separates.
    .replace(/\/(?![a-z])|(?<![a-z0-9._-])\//g, ' , ')
    .replace(/\.(?=\s|$)/g, ' , ')
    .replace(/:(?=\s|$)/g, ' : ')
    .replace(/=/g, ' = ');
  return t
    .split(/\s+/)
    .map((w) => (w.length > 1 ? w.replace(/[.\-_]+$/, '') : w))
    .flatMap((w) => (w.includes('/') && !w.split('/').every((part) => isName(part)) ? w.split('/') : [w]))
    .filter((w) => w !== '');
}

/** A service phrase starting at `i`: "the notifications service", "accounts api", "users-api". */
function readPhrase(tokens: string[], i: number): Phrase | null {
  let at = i;
  while (DETERMINERS.has(tokens[at] ?? '')) at++;
  const t1 = tokens[at];
  const t2 = tokens[at + 1];
  const t3 = tokens[at + 2];
  if (t1 === undefined) return null;
  if (isSuffix(t2) && (isName(t1) || PEOPLE.has(t1) || (t1 === 'api' && NAME_SUFFIXES.has(t2)))) {
    return { candidates: spokenCandidates([t1], t2), next: at + 2 };
  }
  if (isName(t1) && isName(t2) && isSuffix(t3)) return { candidates: spokenCandidates([t1, t2], t3), next: at + 3 };
  if (isName(t1)) return { candidates: nameCandidates(t1), next: at + 1 };
  return null;
}

function spokenCandidates(words: string[], suffix: string): string[] {
  const dashed = words.join('-');
  const underscored = words.join('_');
  if (NAME_SUFFIXES.has(suffix)) return unique([`${dashed}-${suffix}`, dashed, `${underscored}_${suffix}`]);
  return unique([dashed, `${dashed}-${suffix}`, underscored]);
}

function nameCandidates(name: string): string[] {
  // "shop/checkout": the namespaced form first, then the name alone (never the namespace, which holds many).
  const slash = name.lastIndexOf('/');
  if (slash >= 0) return unique([name, ...nameCandidates(name.slice(slash + 1))]);
  const out = [name];
  const base = /^(.+?)[-_](?:api|service|svc)$/.exec(name)?.[1];
  if (base && /[a-z]/.test(base) && base !== 'api') out.push(base);
  if (name.includes('-') && !name.includes('_')) out.push(name.replaceAll('-', '_'));
  else if (name.includes('_') && !name.includes('-')) out.push(name.replaceAll('_', '-'));
  return unique(out);
}

export function findService(rest: string): FoundService | null {
  const tokens = tokenize(rest);
  const peers: string[][] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const next = tokens[i + 1];
    const isPeerCue =
      t === 'from' || t === 'calling' || (t === 'to' && (tokens[i - 1] === 'calls' || tokens[i - 1] === 'requests'));
    if (isPeerCue && next !== undefined) {
      const p = readPhrase(tokens, i + 1);
      if (p) peers.push(p.candidates);
    }
  }
  const guess = bestGuess(tokens)?.candidates ?? [];
  // Discovery takes the first candidate Prometheus knows, so a real service named anywhere in the text beats a
  // guess that names nothing: every other word that could be a name is tried after the guess. The edge ("ALB
  // 502s on checkout") is where the failure was seen, so it is tried last.
  const ranked = unique([...guess, ...otherNames(tokens)]);
  const candidates = [...ranked.filter((c) => !EDGE_WORDS.has(c)), ...ranked.filter((c) => EDGE_WORDS.has(c))];
  return candidates.length === 0 ? null : { guess, candidates, peers };
}

/** The service phrase the sentence is about, read from its grammar, or null. */
function bestGuess(tokens: string[]): Phrase | null {
  // 1. Named outright: "service checkout", "for service: checkout", "svc=checkout".
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] !== 'service' && tokens[i] !== 'svc') continue;
    let j = i + 1;
    if (tokens[j] === ':' || tokens[j] === '=') j++;
    // "payments svc throwing 500s": after a name, "svc" is its suffix, read by the subject rule below.
    else if (isName(tokens[i - 1])) continue;
    const p = readPhrase(tokens, j);
    if (p && isName(tokens[j])) return p;
  }

  // 2. The subject: "checkout is down", "login timing out", "accounts api throws 503", "checkout: 502s".
  let i = 0;
  while (i < tokens.length && (FILLER.has(tokens[i] ?? '') || CHAT_WORDS.has(tokens[i] ?? '') || isPunct(tokens[i])))
    i++;
  // "api 5xx", "api is down": a bare "api" that opens the sentence is a service called api.
  const subject =
    tokens[i] === 'api' && !isSuffix(tokens[i + 1]) ? { candidates: ['api'], next: i + 1 } : readPhrase(tokens, i);
  if (subject) {
    let j = subject.next;
    // "checkout page super slow", "search pods restarting": the part named is still the subject's.
    while (tokens[j] === ',' || SUBJECT_PARTS.has(tokens[j] ?? '')) j++;
    const after = tokens[j];
    if (after !== undefined && (VERBS.has(after) || SYMPTOM_TOKEN.test(after))) return subject;
    // Two plain words before the verb: "shipping quotes failing" → shipping-quotes, shipping, quotes.
    const first = tokens[subject.next - 1];
    const second = tokens[subject.next];
    const third = tokens[subject.next + 1];
    if (
      first !== undefined &&
      isName(first) &&
      isName(second) &&
      third !== undefined &&
      (VERBS.has(third) || SYMPTOM_TOKEN.test(third))
    ) {
      return {
        candidates: unique([`${first}-${second}`, first, second, `${first}_${second}`]),
        next: subject.next + 1,
      };
    }
  }

  // 3. After a preposition: "502 on checkout", "errors in the billing service", "for checkout".
  for (let k = 0; k < tokens.length; k++) {
    if (!PREPOSITIONS.has(tokens[k] ?? '')) continue;
    const p = readPhrase(tokens, k + 1);
    if (p) return p;
  }

  // 4. A source: "from the web tier", "from users-api".
  for (let k = 0; k < tokens.length; k++) {
    if (tokens[k] !== 'from') continue;
    const p = readPhrase(tokens, k + 1);
    if (p) return p;
  }

  // 5. Anything spoken with a suffix: "… accounts api …".
  for (let k = 0; k < tokens.length; k++) {
    if (!isSuffix(tokens[k + 1])) continue;
    const p = readPhrase(tokens, k);
    if (p && p.next === k + 2) return p;
  }
  return null;
}

/** Every word or adjacent word pair that could name a service, in text order: "search indexer" → search-indexer, search. */
function otherNames(tokens: string[]): string[] {
  const out: string[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const word = tokens[k];
    if (!isOtherName(word)) continue;
    const next = tokens[k + 1];
    if (isSuffix(next)) {
      // "email worker": the suffix is part of the name, not a name of its own.
      out.push(...spokenCandidates([word], next));
      k++;
      continue;
    }
    if (isOtherName(next)) out.push(`${word}-${next}`);
    out.push(...nameCandidates(word));
  }
  return out;
}

function isPunct(token: string | undefined): boolean {
  return token !== undefined && /^[^a-z0-9]+$/.test(token);
}

export function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
