import type { SymptomKind } from './symptom.js';

// Symptom kinds and status codes, read from the words of the text.

/** Most specific first: resource families, then failure shapes, then the generic ones, then context. */
export const KIND_RANK: Record<SymptomKind, number> = {
  'resource-leak': 0,
  memory: 1,
  connections: 2,
  cpu: 3,
  'rate-limit': 4,
  dependency: 5,
  timeouts: 6,
  unavailable: 7,
  traffic: 8,
  latency: 9,
  errors: 10,
  deploy: 11,
};

interface KindRule {
  re: RegExp;
  kinds: SymptomKind[];
  code?: number;
}

const KIND_RULES: KindRule[] = [
  { re: /\b(?:bad\s+gateway|gateway\s+errors?)\b/g, kinds: ['errors'], code: 502 },
  { re: /\bgateway\s+time-?outs?\b/g, kinds: ['timeouts', 'errors'], code: 504 },
  { re: /\bservice\s+unavailable\b/g, kinds: ['unavailable', 'errors'], code: 503 },
  { re: /\binternal\s+server\s+errors?\b/g, kinds: ['errors'], code: 500 },
  { re: /\btoo\s+many\s+requests\b/g, kinds: ['rate-limit'], code: 429 },
  {
    // "flaky" is read as intermittent errors; "erorrs", "erros" are the usual slips of a hurried hand.
    re: /\b(?:errors?|erroring|errs|erorrs?|erors?|erros|errros?|exceptions?|fail(?:s|ed|ing|ures?)?|broken|broke|breaks|breaking|borked|busted|hosed|panic(?:s|ked|king)?|5xx(?:s|ing)?|stack\s*traces?|flak(?:y|iness))\b/g,
    kinds: ['errors'],
  },
  {
    re: /\b(?:slow\w*|latenc(?:y|ies)|latnec(?:y|ies)|latanc(?:y|ies)|p\d{2,3}(?:\.\d+)?|response\s+times?|sluggish|lag(?:gy|ging|s)?|tak(?:es?|ing)\s+(?:forever|ages)|ttfb)\b/g,
    kinds: ['latency'],
  },
  {
    re: /\b(?:tim(?:ing|ed|es)\s+out|time-?outs?|time\s+outs|timouts?|deadline[\s-]exceeded|hang(?:s|ing)?|hung|stuck)\b/g,
    kinds: ['timeouts'],
  },
  {
    re: /\b(?:down(?!-stream)|downtime|outages?|unreachable|unavailable|offline|dead|not\s+responding|unresponsive|crash\w*|restart\w*|reboot\w*|oom-?kill\w*|killed|kills|connection\s+refused|evicted|flap(?:s|ping|py)?)\b/g,
    kinds: ['unavailable'],
  },
  {
    re: /\b(?:memory|mem|oom\w*|out\s+of\s+memory|heap\w*|rss|gc|garbage\s+collection|swap\w*)\b/g,
    kinds: ['memory'],
  },
  { re: /\b(?:cpus?|processor|throttl\w*)\b/g, kinds: ['cpu'] },
  { re: /\b(?:connections?|conns?|pools?|pooling|max_connections)\b/g, kinds: ['connections'] },
  {
    re: /\b(?:file\s+descriptors?|fds?|open\s+files|threads?(?!\s+pool)|sockets?|goroutines?|handle\s+leaks?|(?:connection|conn)s?\s+leak\w*|leak\w*\s+connections?)\b/g,
    kinds: ['resource-leak'],
  },
  {
    re: /\b(?:up-?stream|down-?stream|dependenc(?:y|ies)|third[\s-]party|3rd[\s-]party|external\s+(?:apis?|services?|providers?|dependenc(?:y|ies))|peers?)\b/g,
    kinds: ['dependency'],
  },
  {
    re: /\b(?:rate[\s-]?limit\w*|throttled\s+by|throttling\s+us|quota\s+exceeded|quotas?)\b/g,
    kinds: ['rate-limit'],
  },
  {
    re: /\b(?:traffic|(?:over)?load(?:ed|s)?|flood\w*|ddos\w*|rps|qps|request\s+rate|requests\s+per\s+second|thundering\s+herd)\b/g,
    kinds: ['traffic'],
  },
  {
    re: /\b(?:deploy\w*|redeploy\w*|releas\w*|roll(?:ed|ing)?[\s-]?(?:outs?|backs?)|new\s+version|upgrad\w*|config(?:uration)?\s+changes?)\b/g,
    kinds: ['deploy'],
  },
];

export const DEPLOY_WORD =
  /^(?:deploy\w*|redeploy\w*|releas\w*|rollouts?|rollbacks?|upgrad\w*|config\w*|change\w*|update\w*|migration\w*)$/;

/** Words that say what a spike or surge is of, when it is not traffic ("latency spike", "spike in 502s"). */
const NON_TRAFFIC_SPIKE =
  /^(?:errors?|5xx|\d{3}s?|latenc\w*|p\d+|slow\w*|cpu|memory|mem|heap|gc|timeouts?|failures?|exceptions?|restarts?|crash\w*|connections?)$/;

export function isStatusCode(n: number): boolean {
  return n === 429 || (n >= 500 && n <= 599);
}

export function detectKinds(rest: string): { kinds: Set<SymptomKind>; codes: { code: number; index: number }[] } {
  const kinds = new Set<SymptomKind>();
  const codes: { code: number; index: number }[] = [];
  // Phrases that contain a kind's word without meaning it.
  const t = rest
    .replace(/\b(slow(?:ed|ing|s)?)\s+down\b/g, (m, w: string) => w.padEnd(m.length))
    .replace(/\bscal(?:e|ed|ing)\s+down\b/g, (m) => ' '.repeat(m.length))
    .replace(/\b(?:load[\s-]?balancers?|page\s+loads?|load(?:ing)?\s+times?|loading)\b/g, (m) => ' '.repeat(m.length));
  for (const rule of KIND_RULES) {
    for (const m of t.matchAll(rule.re)) {
      // "throttled by X" is rate limiting, not CPU.
      if (rule.kinds[0] === 'cpu' && /^throttl/.test(m[0]) && /^\s+(?:by|us)\b/.test(t.slice(m.index + m[0].length)))
        continue;
      for (const k of rule.kinds) kinds.add(k);
      if (rule.code !== undefined) codes.push({ code: rule.code, index: m.index });
    }
  }
  // A generic "leak" with no resource named is a memory leak.
  if (/\bleak\w*/.test(t) && !kinds.has('resource-leak') && !kinds.has('memory')) kinds.add('memory');
  for (const m of t.matchAll(/\b(spik\w*|surg\w*)\b/g)) {
    const before = t.slice(0, m.index).trim().split(/\s+/).slice(-2);
    const after = /^\s+(?:in|of)\s+(\S+)/.exec(t.slice(m.index + m[0].length));
    const about = [...before, after?.[1] ?? ''];
    if (!about.some((w) => NON_TRAFFIC_SPIKE.test(w))) kinds.add('traffic');
  }
  // "502s", and "502ing" (chat for "throwing 502s").
  for (const m of t.matchAll(/(?<![\w.:])(\d{3})(?:s|ing)?(?![\w%]|\.\d|\s*(?:ms|milliseconds?|%|percent)\b)/g)) {
    const code = Number(m[1]);
    if (!isStatusCode(code)) continue;
    codes.push({ code, index: m.index });
    if (code === 429) kinds.add('rate-limit');
    else kinds.add('errors');
    if (code === 503) kinds.add('unavailable');
    if (code === 504) kinds.add('timeouts');
  }
  return { kinds, codes };
}
