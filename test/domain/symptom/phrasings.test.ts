import { describe, expect, it } from 'vitest';
import { pickService } from '../../../src/domain/discovery/service-names.js';
import { parseSymptom } from '../../../src/domain/symptom/parse-symptom.js';
import type { SymptomKind } from '../../../src/domain/symptom/symptom.js';

/**
 * How on-call engineers really type into `/diagnose`, read end to end: the text is parsed, and its candidates are
 * confirmed against label values as if read from Prometheus, the way discovery does.
 */
const KNOWN = [
  'checkout',
  'shop/checkout',
  'payments-api',
  'orders',
  'auth-svc',
  'search',
  'uploads',
  'billing',
  'cart',
  'cart-redis',
  'api',
  'prod-login-http',
  'inventory-8080@kubernetes',
  'outbound|8080||notifications.shop.svc.cluster.local',
  'shop/recommendations/8080/da39a3ee5e',
  'shipping-quotes',
  'email-worker',
  'checkout-worker',
];

const NOW = new Date('2026-12-02T14:30:00Z');
const PARIS = 'Europe/Paris';

/** The first kind, the exact set of kinds (any order), or null for none (the general playbook runs). */
type Kinds = SymptomKind | SymptomKind[] | null;
/** Minutes before now, or [start, end] as ISO strings. */
type Window = number | [string, string];
/** Text, the label value discovery picks (null: none is known), kinds, status codes, window, time zone. */
type Row = [text: string, service: string | null, kinds: Kinds, codes: number[], window: Window, zone?: string];

const today = (hhmm: string): [string, string] => [`2026-12-02T${hhmm}:00.000Z`, NOW.toISOString()];

/** Slack shorthand: abbreviations, chat noise, markup, emoji, typos, trailing punctuation. */
const SHORTHAND: Row[] = [
  // From the brief.
  ['payments svc throwing 500s', 'payments-api', 'errors', [500], 30],
  ['api 5xx', 'api', 'errors', [], 30],
  ['is payments down rn', 'payments-api', 'unavailable', [], 30],
  ['is payments down rn??', 'payments-api', 'unavailable', [], 30],
  ['checkout errors since breakfast', 'checkout', 'errors', [], today('08:00')],
  ['search slow since this morning', 'search', 'latency', [], today('08:00')],
  ['billing 5xx since lunch', 'billing', 'errors', [], today('12:00')],
  ['errors on cart since ~09:40', 'cart', 'errors', [], today('09:40')],
  ['- 503 service unavailable', null, ['unavailable', 'errors'], [503], 30],
  ['auth-svc p99 way up', 'auth-svc', 'latency', [], 30],
  ['cart flaky', 'cart', 'errors', [], 30],
  ['uploads 502ing', 'uploads', 'errors', [502], 30],
  ['checkout page super slow', 'checkout', 'latency', [], 30],
  ['tons of timeouts from the ALB', null, ['timeouts'], [], 30],
  ['anything wrong with billing?', 'billing', null, [], 30],
  ['shop/checkout erroring', 'shop/checkout', 'errors', [], 30],
  ['cart 5xx since 10ish', 'cart', 'errors', [], today('10:00')],
  ['orders-api: 504s', 'orders', ['timeouts', 'errors'], [504], 30],
  ['getting 429s from stripe on billing', 'billing', ['rate-limit', 'dependency'], [429], 30],
  ['k8s pod for search keeps restarting', 'search', 'unavailable', [], 30],
  ['checkout is on fire', 'checkout', null, [], 30],
  ['latency spike on search since the deploy', 'search', ['latency', 'deploy'], [], 30],
  ['payments-svc flapping', 'payments-api', 'unavailable', [], 30],
  // Mentions, links, emoji, code spans.
  ['<@U123> checkout is throwing 502s', 'checkout', 'errors', [502], 30],
  ['cc <@U0456|alice> billing timeouts', 'billing', 'timeouts', [], 30],
  ['<!here> login 503', 'prod-login-http', ['unavailable', 'errors'], [503], 30],
  ['errors on <https://grafana.example.com/d/abc|checkout dashboard> pls', 'checkout', 'errors', [], 30],
  ['checkout 502s, see <https://grafana.example.com/d/x?var-svc=cart>', 'checkout', 'errors', [502], 30],
  ['orders slow https://grafana.example.com/d/abc/orders?from=now-1h', 'orders', 'latency', [], 30],
  ['@oncall uploads down', 'uploads', 'unavailable', [], 30],
  [':fire: checkout :fire:', 'checkout', null, [], 30],
  [':rotating_light: payments 500s :rotating_light:', 'payments-api', 'errors', [500], 30],
  ['🔥 cart 5xx 🔥', 'cart', 'errors', [], 30],
  ['search 😱 p99 way up', 'search', 'latency', [], 30],
  ['`shop/checkout` 502s', 'shop/checkout', 'errors', [502], 30],
  ['is `auth-svc` ok?', 'auth-svc', null, [], 30],
  ['p99 &gt; 2s on search', 'search', 'latency', [], 30],
  // Chat noise that must never be a service.
  ['any idea what\u2019s going on with search?', 'search', null, [], 30],
  ["any idea what's going on? orders 502s", 'orders', 'errors', [502], 30],
  ['login errors on my end', 'prod-login-http', 'errors', [], 30],
  ['orders 500s after the rollout', 'orders', ['errors', 'deploy'], [500], 30],
  ['uploads down?? pls help', 'uploads', 'unavailable', [], 30],
  ['CART 5XX!!!', 'cart', 'errors', [], 30],
  ['billing timeouts, any idea?', 'billing', 'timeouts', [], 30],
  ['yo checkout 502s again', 'checkout', 'errors', [502], 30],
  ['hey team, orders is super slow', 'orders', 'latency', [], 30],
  ['pls look at cart, 503s since 9am', 'cart', ['unavailable', 'errors'], [503], today('09:00')],
  ['search is borked', 'search', 'errors', [], 30],
  ['inventory timing out again :(', 'inventory-8080@kubernetes', 'timeouts', [], 30],
  ['auth-svc 5xx spike', 'auth-svc', ['errors'], [], 30],
  ['anyone else seeing 504s on search?', 'search', ['timeouts', 'errors'], [504], 30],
  ['payments api 500ing', 'payments-api', 'errors', [500], 30],
  ['uploads borked since ~10:15', 'uploads', 'errors', [], today('10:15')],
  ['cart slow af', 'cart', 'latency', [], 30],
  ['checkout 5xx on my end too', 'checkout', 'errors', [], 30],
  ['search down?', 'search', 'unavailable', [], 30],
  ['is api down', 'api', 'unavailable', [], 30],
  ['orders-api timeouts after the rollout', 'orders', ['timeouts', 'deploy'], [], 30],
  ["what's up with orders", 'orders', null, [], 30],
  ['orders ok?', 'orders', null, [], 30],
  ['is checkout ok rn?', 'checkout', null, [], 30],
  ['billing: 429s from stripe', 'billing', ['rate-limit', 'dependency'], [429], 30],
  ['search keeps 502ing', 'search', 'errors', [502], 30],
  ['5xx on checkout rn, pls advise', 'checkout', 'errors', [], 30],
  ['login page super slow for the last hour', 'prod-login-http', 'latency', [], 60],
  ['uploads 504ing for 20 min', 'uploads', ['timeouts', 'errors'], [504], 20],
  ['payments down since ~14:00?', 'payments-api', 'unavailable', [], today('14:00')],
  ['inventory OOMing rn', 'inventory-8080@kubernetes', 'memory', [], 30],
  ['cart CPU pegged 🔥', 'cart', 'cpu', [], 30],
  ['search pods crashlooping', 'search', 'unavailable', [], 30],
  ['Search P99 WAY UP since 13:00', 'search', 'latency', [], today('13:00')],
  ['auth-svc flaky after the deploy', 'auth-svc', ['errors', 'deploy'], [], 30],
  ['checkout down... again', 'checkout', 'unavailable', [], 30],
  ['uploads 502s since ~10ish', 'uploads', 'errors', [502], today('10:00')],
  ['billing svc flapping since lunch', 'billing', 'unavailable', [], today('12:00')],
  ['cart 503 - service unavailable', 'cart', ['unavailable', 'errors'], [503], 30],
  ['ALB 502s on checkout', 'checkout', 'errors', [502], 30],
  ['checkout: p99 way up, pls check', 'checkout', 'latency', [], 30],
  ['orders-api 5xx, started ~20 min ago', 'orders', 'errors', [], 20],
  ['search slow for like 10 min now', 'search', 'latency', [], 10],
  ['payments svc: 502s', 'payments-api', 'errors', [502], 30],
  ['pls help - auth-svc throwing 500s since 9ish', 'auth-svc', 'errors', [500], today('09:00')],
  ['uploads is hosed', 'uploads', 'errors', [], 30],
  ['checkout 500s ugh', 'checkout', 'errors', [500], 30],
  // Typos in the symptom (still read) and in the service (no known value).
  ['uploads erorrs since 10ish', 'uploads', 'errors', [], today('10:00')],
  ['checkout latnecy through the roof', 'checkout', 'latency', [], 30],
  ['cart timouts', 'cart', 'timeouts', [], 30],
  ['chekout is down', null, 'unavailable', [], 30],
  ['serch latency high', null, 'latency', [], 30],
  // Europe/Paris is UTC+1 in December: day parts and clock times are read there.
  ['checkout errors since breakfast', 'checkout', 'errors', [], today('07:00'), PARIS],
  ['billing down since this morning', 'billing', 'unavailable', [], today('07:00'), PARIS],
  ['cart 5xx since lunch', 'cart', 'errors', [], today('11:00'), PARIS],
  ['uploads erroring since ~10ish', 'uploads', 'errors', [], today('09:00'), PARIS],
];

/** Whole sentences, incident-channel style. */
const PLAIN: Row[] = [
  ['502 on checkout', 'checkout', 'errors', [502], 30],
  ['gateway errors from the web tier', null, 'errors', [502], 30],
  ['login timing out', 'prod-login-http', 'timeouts', [], 30],
  ['accounts api throws 503', null, ['unavailable', 'errors'], [503], 30],
  ['shipping quotes failing with 5xx', 'shipping-quotes', 'errors', [], 30],
  ['memory keeps growing on mailer', null, 'memory', [], 30],
  ['CPU pegged on search', 'search', 'cpu', [], 30],
  ['too many connections to the db from orders', 'orders', ['connections'], [], 30],
  [
    'upstream failures on the notifications service',
    'outbound|8080||notifications.shop.svc.cluster.local',
    ['dependency', 'errors'],
    [],
    30,
  ],
  ['502 on checkout since 14:05', 'checkout', 'errors', [502], today('14:05')],
  ['502 on checkout for the last 2h', 'checkout', 'errors', [502], 120],
  ['errors for service checkout', 'checkout', 'errors', [], 30],
  ['checkout is down', 'checkout', 'unavailable', [], 30],
  ['OOM kills on billing', 'billing', 'memory', [], 30],
  ['429s from payments api on checkout', 'checkout', ['rate-limit', 'dependency'], [429], 30],
  ['traffic spike on search', 'search', ['traffic'], [], 30],
  ['5xx on cart since the deploy', 'cart', ['errors', 'deploy'], [], 30],
  ['slow responses from inventory since 13:30 UTC', 'inventory-8080@kubernetes', ['latency'], [], today('13:30')],
  ['the checkout service is down', 'checkout', 'unavailable', [], 30],
  ['our users are seeing 500s on checkout', 'checkout', 'errors', [500], 30],
  ['customers report checkout is slow', 'checkout', 'latency', [], 30],
  ['throttled by stripe on checkout', 'checkout', ['rate-limit'], [], 30],
  ['spike in 502s on search', 'search', ['errors'], [502], 30],
  ['timeouts calling payments from checkout', 'checkout', ['dependency', 'timeouts'], [], 30],
  ['errors in the last hour on checkout', 'checkout', 'errors', [], 60],
  [
    'between 13:00 and 14:00 502 on checkout',
    'checkout',
    'errors',
    [502],
    ['2026-12-02T13:00:00.000Z', '2026-12-02T14:00:00.000Z'],
  ],
  ['502 on checkout at 2pm', 'checkout', 'errors', [502], ['2026-12-02T13:30:00.000Z', '2026-12-02T14:00:00.000Z']],
  [
    'checkout 500 errors since yesterday at 14:00',
    'checkout',
    'errors',
    [500],
    ['2026-12-01T14:00:00.000Z', NOW.toISOString()],
  ],
  ['502s on cart 2 hours ago', 'cart', 'errors', [502], 120],
  ['the email worker is crashing', 'email-worker', 'unavailable', [], 30],
  ['recommendations are slow', 'shop/recommendations/8080/da39a3ee5e', 'latency', [], 30],
  // The value that names the store wins: discovery then reads it as the service's dependency.
  ['cart redis is slow', 'cart-redis', 'latency', [], 30],
  ['connection pool exhausted on orders', 'orders', ['connections'], [], 30],
  ['file descriptors leaking on uploads', 'uploads', 'resource-leak', [], 30],
  ['goroutines growing on search', 'search', 'resource-leak', [], 30],
  ['heap usage climbing on billing', 'billing', ['memory'], [], 30],
  ['checkout returns 503 service unavailable', 'checkout', ['unavailable', 'errors'], [503], 30],
  ['internal server errors on orders', 'orders', ['errors'], [500], 30],
  ['bad gateway on checkout', 'checkout', ['errors'], [502], 30],
  ['gateway timeout on uploads', 'uploads', ['timeouts', 'errors'], [504], 30],
  ['rate limited by github on billing', 'billing', ['rate-limit'], [], 30],
  ['too many requests to search', 'search', ['rate-limit'], [429], 30],
  ['deadline exceeded on orders', 'orders', 'timeouts', [], 30],
  ['search is not responding', 'search', 'unavailable', [], 30],
  ['uploads keeps restarting', 'uploads', 'unavailable', [], 30],
  ['billing pods evicted', 'billing', 'unavailable', [], 30],
  ['checkout latency doubled after the release', 'checkout', ['latency', 'deploy'], [], 30],
  ['p95 up on orders for the last 45m', 'orders', 'latency', [], 45],
  ['orders slow for 90 minutes', 'orders', 'latency', [], 90],
  ['errors on cart for an hour and a half', 'cart', 'errors', [], 90],
  ['traffic surge on search for the last 2 hours', 'search', 'traffic', [], 120],
  ['memory on billing over the past day', 'billing', 'memory', [], 1440],
  [
    'HTTP 503 on cart at 14:00 UTC for 10 minutes',
    'cart',
    ['unavailable', 'errors'],
    [503],
    ['2026-12-02T13:50:00.000Z', '2026-12-02T14:00:00.000Z'],
  ],
  ['errors on checkout since 16:00', 'checkout', 'errors', [], ['2026-12-01T16:00:00.000Z', NOW.toISOString()]],
  ['errors on checkout since 14:05 Europe/Paris', 'checkout', 'errors', [], today('13:05')],
  ['latency on search since about 13:00', 'search', 'latency', [], today('13:00')],
  ['orders errors since around 12:30', 'orders', 'errors', [], today('12:30')],
  ['the api is down', null, 'unavailable', [], 30],
  ['errors on the api', null, 'errors', [], 30],
  ['everything is slow', null, 'latency', [], 30],
  ['users say everything is slow', null, 'latency', [], 30],
  ['502s in prod', null, 'errors', [502], 30],
  ['lots of 502s', null, 'errors', [502], 30],
  ['something weird is going on', null, null, [], 30],
  ['is anything wrong?', null, null, [], 30],
  ['anything wrong with checkout?', 'checkout', null, [], 30],
  ['what is wrong with the login service', 'prod-login-http', null, [], 30],
  ['can you check orders', 'orders', null, [], 30],
  ['check the billing service please', 'billing', null, [], 30],
  ['search', 'search', null, [], 30],
  ['checkout.', 'checkout', null, [], 30],
  // A real service named anywhere wins over a guess that names nothing.
  ['storefront errors, probably cart', 'cart', 'errors', [], 30],
  ['webshop slow, maybe search?', 'search', 'latency', [], 30],
  ['signup flow broken, I think it is billing', 'billing', 'errors', [], 30],
  ['mobile app shows timeouts, backend is orders', 'orders', 'timeouts', [], 30],
  ['the nightly export is failing against uploads', 'uploads', 'errors', [], 30],
  ['frontend team says checkout returns 502', 'checkout', 'errors', [502], 30],
  ['partner integration failing, calls go through payments', 'payments-api', 'errors', [], 30],
  ['errors spiking in the recommendations widget', 'shop/recommendations/8080/da39a3ee5e', 'errors', [], 30],
  ['ledger and billing both erroring', 'billing', 'errors', [], 30],
  ['customer portal down since 13:15', null, 'unavailable', [], today('13:15')],
  // Peers and edges.
  ['502 from the load balancer on checkout', 'checkout', ['errors'], [502], 30],
  ['timeouts from the alb on search', 'search', ['timeouts'], [], 30],
  ['504s at the ingress for cart', 'cart', ['timeouts', 'errors'], [504], 30],
  ['uploads failing calling s3', 'uploads', ['dependency', 'errors'], [], 30],
  ['billing errors from stripe', 'billing', ['dependency', 'errors'], [], 30],
  ['checkout slow because calls to payments are slow', 'checkout', ['dependency', 'latency'], [], 30],
  // Resources.
  ['orders CPU throttling', 'orders', 'cpu', [], 30],
  ['search memory leak', 'search', 'memory', [], 30],
  ['uploads running out of memory', 'uploads', 'memory', [], 30],
  ['too many open files on cart', 'cart', 'resource-leak', [], 30],
  ['socket leak on auth-svc', 'auth-svc', 'resource-leak', [], 30],
  ['db pool exhausted on billing', 'billing', 'connections', [], 30],
  ['connections leaking on orders', 'orders', 'resource-leak', [], 30],
  ['GC pauses on search', 'search', 'memory', [], 30],
  ['traffic spike on uploads since 13:00', 'uploads', 'traffic', [], today('13:00')],
  ['load on checkout is crazy', 'checkout', 'traffic', [], 30],
  ['checkout slowed down after the deploy', 'checkout', ['latency', 'deploy'], [], 30],
  // Shapes of names.
  ['errors on Search', 'search', 'errors', [], 30],
  ['PAYMENTS-API 500', 'payments-api', 'errors', [500], 30],
  ['auth_svc erroring', 'auth-svc', 'errors', [], 30],
  ['auth service throwing 500s', 'auth-svc', 'errors', [500], 30],
  ['login-http timeouts', 'prod-login-http', 'timeouts', [], 30],
  ['inventory is down', 'inventory-8080@kubernetes', 'unavailable', [], 30],
  ['svc=orders 502', 'orders', 'errors', [502], 30],
  ['service: billing, 503s', 'billing', ['unavailable', 'errors'], [503], 30],
  ['for service checkout: latency', 'checkout', 'latency', [], 30],
  ['the shipping quotes service is slow', 'shipping-quotes', 'latency', [], 30],
  ['emails not sending, email worker stuck', 'email-worker', 'timeouts', [], 30],
  ['checkout worker crashing', 'checkout-worker', 'unavailable', [], 30],
  ['shop/checkout p99 up since 13:45', 'shop/checkout', 'latency', [], today('13:45')],
  ['payments 502 and 504', 'payments-api', ['timeouts', 'errors'], [502, 504], 30],
  ['503/504 on cart', 'cart', ['timeouts', 'unavailable', 'errors'], [503, 504], 30],
  ['504s then 502s on orders', 'orders', ['timeouts', 'errors'], [504, 502], 30],
  // Windows.
  [
    'checkout errors yesterday at 16:00',
    'checkout',
    'errors',
    [],
    ['2026-12-01T15:30:00.000Z', '2026-12-01T16:00:00.000Z'],
  ],
  [
    'orders 502 at 2026-12-02T12:00Z',
    'orders',
    'errors',
    [502],
    ['2026-12-02T11:30:00.000Z', '2026-12-02T12:00:00.000Z'],
  ],
  [
    'search slow from 09:00 to 10:00',
    'search',
    'latency',
    [],
    ['2026-12-02T09:00:00.000Z', '2026-12-02T10:00:00.000Z'],
  ],
  ['cart errors for the past 15 minutes', 'cart', 'errors', [], 15],
  ['billing down for half an hour', 'billing', 'unavailable', [], 30],
  ['uploads slow since noon', 'uploads', 'latency', [], today('12:00')],
  ['uploads slow since noon', 'uploads', 'latency', [], today('11:00'), PARIS],
  ['orders 502 at 15:00', 'orders', 'errors', [502], ['2026-12-02T13:30:00.000Z', '2026-12-02T14:00:00.000Z'], PARIS],
  ['checkout slow since 14:05', 'checkout', 'latency', [], today('13:05'), PARIS],
];

const ROWS = [...SHORTHAND, ...PLAIN];

/** Chat words, verbs and time words that must never be tried as a service. */
const NEVER = new Set(
  `rn pls plz help throwing fire idea going end my rollout deploy breakfast lunch morning super way tons k8s pod
  page flaky flapping keeps restarting wrong anything getting ish af ugh again team hey yo anyone else advise check
  look probably maybe think backend mobile app frontend says`.split(/\s+/),
);

describe('parseSymptom on real phrasings', () => {
  it('covers at least 150 distinct phrasings, at least 50 of them shorthand', () => {
    const key = (r: Row): string => `${r[0]}|${r[5] ?? ''}`;
    expect(new Set(ROWS.map(key)).size).toBe(ROWS.length);
    expect(ROWS.length).toBeGreaterThanOrEqual(150);
    expect(SHORTHAND.length).toBeGreaterThanOrEqual(50);
  });

  it.each(ROWS)('reads %j', (text, service, kinds, codes, window, timeZone) => {
    const r = parseSymptom(text, { now: NOW, ...(timeZone ? { timeZone } : {}) });
    expect(pickService(r.serviceCandidates, KNOWN)?.value ?? null).toBe(service);
    expect(r.service).toBe(r.serviceCandidates[0] ?? null);
    expect(r.serviceCandidates.filter((c) => NEVER.has(c))).toEqual([]);
    if (kinds === null) expect(r.kinds).toEqual([]);
    else if (typeof kinds === 'string') expect(r.kinds[0]).toBe(kinds);
    else expect([...r.kinds].sort()).toEqual([...kinds].sort());
    expect(r.statusCodes).toEqual(codes);
    const [start, end] =
      typeof window === 'number'
        ? [new Date(NOW.getTime() - window * 60_000).toISOString(), NOW.toISOString()]
        : window;
    expect(r.window.start.toISOString()).toBe(start);
    expect(r.window.end.toISOString()).toBe(end);
  });
});
