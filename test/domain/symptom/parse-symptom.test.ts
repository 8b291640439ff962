import { afterEach, describe, expect, it, vi } from 'vitest';
import { SymptomError } from '../../../src/domain/errors.js';
import { parseSymptom } from '../../../src/domain/symptom/parse-symptom.js';
import type { ParseSymptomOptions, SymptomKind, WindowSource } from '../../../src/domain/symptom/symptom.js';

const NOW = new Date('2026-11-01T15:00:00Z');
const iso = (d: Date): string => d.toISOString();
const parse = (text: string, options: Partial<ParseSymptomOptions> = {}) =>
  parseSymptom(text, { now: NOW, ...options });

interface Row {
  text: string;
  service: string | null;
  /** Exact candidates when given; otherwise only `[service]` must be first. */
  candidates?: string[];
  kinds: SymptomKind[];
  codes: number[];
  start: string;
  end: string;
  source: WindowSource;
}

const END = '2026-11-01T15:00:00.000Z';
const D30 = '2026-11-01T14:30:00.000Z';

const ROWS: Row[] = [
  // The phrasings from the brief.
  {
    text: '502 on checkout',
    service: 'checkout',
    kinds: ['errors'],
    codes: [502],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'gateway errors from the web tier',
    service: 'web',
    candidates: ['web', 'web-tier'],
    kinds: ['errors'],
    codes: [502],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'login timing out',
    service: 'login',
    kinds: ['timeouts'],
    codes: [],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'accounts api throws 503',
    service: 'accounts-api',
    candidates: ['accounts-api', 'accounts', 'accounts_api'],
    kinds: ['unavailable', 'errors'],
    codes: [503],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'users say reports are slow',
    service: 'reports',
    candidates: ['reports'],
    kinds: ['latency'],
    codes: [],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'p99 latency up on quotes',
    service: 'quotes',
    kinds: ['latency'],
    codes: [],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'accounts feels slow',
    service: 'accounts',
    candidates: ['accounts'],
    kinds: ['latency'],
    codes: [],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'shipping quotes failing with 5xx',
    service: 'shipping-quotes',
    candidates: ['shipping-quotes', 'shipping', 'quotes', 'shipping_quotes'],
    kinds: ['errors'],
    codes: [],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: '500s on signup',
    service: 'signup',
    kinds: ['errors'],
    codes: [500],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'memory keeps growing on mailer',
    service: 'mailer',
    kinds: ['memory'],
    codes: [],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'CPU pegged on thumbnails',
    service: 'thumbnails',
    kinds: ['cpu'],
    codes: [],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'too many connections to the db from users-api',
    service: 'users-api',
    candidates: ['users-api', 'users', 'users_api'],
    kinds: ['connections'],
    codes: [],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'upstream failures on the notifications service',
    service: 'notifications',
    candidates: ['notifications', 'notifications-service'],
    kinds: ['dependency', 'errors'],
    codes: [],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: '502 on checkout since 14:05',
    service: 'checkout',
    kinds: ['errors'],
    codes: [502],
    start: '2026-11-01T14:05:00.000Z',
    end: END,
    source: 'since',
  },
  {
    text: '502 on checkout at 2026-11-01T14:00Z',
    service: 'checkout',
    kinds: ['errors'],
    codes: [502],
    start: '2026-11-01T13:30:00.000Z',
    end: '2026-11-01T14:00:00.000Z',
    source: 'at',
  },
  {
    text: '502 on checkout for the last 2h',
    service: 'checkout',
    kinds: ['errors'],
    codes: [502],
    start: '2026-11-01T13:00:00.000Z',
    end: END,
    source: 'last',
  },
  {
    text: 'errors for service checkout',
    service: 'checkout',
    kinds: ['errors'],
    codes: [],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'checkout is down',
    service: 'checkout',
    kinds: ['unavailable'],
    codes: [],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'OOM kills on billing',
    service: 'billing',
    kinds: ['memory', 'unavailable'],
    codes: [],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'file descriptors leaking on gateway',
    service: 'gateway',
    kinds: ['resource-leak'],
    codes: [],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: '429s from payments api on checkout',
    service: 'checkout',
    kinds: ['rate-limit', 'dependency'],
    codes: [429],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'traffic spike on search',
    service: 'search',
    kinds: ['traffic'],
    codes: [],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: '5xx on cart since the deploy',
    service: 'cart',
    kinds: ['errors', 'deploy'],
    codes: [],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'p95 up on api-gateway for the last 45m',
    service: 'api-gateway',
    candidates: ['api-gateway', 'api_gateway'],
    kinds: ['latency'],
    codes: [],
    start: '2026-11-01T14:15:00.000Z',
    end: END,
    source: 'last',
  },
  {
    text: '504 on orders at 2026-11-01 14:00',
    service: 'orders',
    kinds: ['timeouts', 'errors'],
    codes: [504],
    start: '2026-11-01T13:30:00.000Z',
    end: '2026-11-01T14:00:00.000Z',
    source: 'at',
  },
  {
    text: 'slow responses from inventory since 13:30 UTC',
    service: 'inventory',
    kinds: ['latency'],
    codes: [],
    start: '2026-11-01T13:30:00.000Z',
    end: END,
    source: 'since',
  },
  {
    text: 'high latency on search-api since 2h',
    service: 'search-api',
    candidates: ['search-api', 'search', 'search_api'],
    kinds: ['latency'],
    codes: [],
    start: '2026-11-01T13:00:00.000Z',
    end: END,
    source: 'last',
  },
  {
    text: 'errors after release on billing',
    service: 'billing',
    kinds: ['errors', 'deploy'],
    codes: [],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'checkout 503',
    service: 'checkout',
    kinds: ['unavailable', 'errors'],
    codes: [503],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'checkout: 502s',
    service: 'checkout',
    kinds: ['errors'],
    codes: [502],
    start: D30,
    end: END,
    source: 'default',
  },
  // More variations.
  {
    text: 'the checkout service is down',
    service: 'checkout',
    candidates: ['checkout', 'checkout-service'],
    kinds: ['unavailable'],
    codes: [],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'our users are seeing 500s on checkout',
    service: 'checkout',
    kinds: ['errors'],
    codes: [500],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'customers report checkout is slow',
    service: 'checkout',
    kinds: ['latency'],
    codes: [],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'gateway timeout on checkout',
    service: 'checkout',
    kinds: ['timeouts', 'errors'],
    codes: [504],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'service unavailable on cart',
    service: 'cart',
    kinds: ['unavailable', 'errors'],
    codes: [503],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'bad gateway on checkout',
    service: 'checkout',
    kinds: ['errors'],
    codes: [502],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'throttled by stripe on checkout',
    service: 'checkout',
    kinds: ['rate-limit'],
    codes: [],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'rate limited by github on ci-runner',
    service: 'ci-runner',
    // Every other word that could be a service is tried after the guess, so the peer "github" comes last.
    candidates: ['ci-runner', 'ci_runner', 'github'],
    kinds: ['rate-limit'],
    codes: [],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'CPU throttling on thumbnails',
    service: 'thumbnails',
    kinds: ['cpu'],
    codes: [],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'connections leaking on orders',
    service: 'orders',
    kinds: ['resource-leak', 'connections'],
    codes: [],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'goroutines growing on orders-worker',
    service: 'orders-worker',
    candidates: ['orders-worker', 'orders_worker'],
    kinds: ['resource-leak'],
    codes: [],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'db pool exhausted on users-api',
    service: 'users-api',
    kinds: ['connections'],
    codes: [],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'heap usage climbing on search-indexer',
    service: 'search-indexer',
    kinds: ['memory'],
    codes: [],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'email worker crashing',
    service: 'email-worker',
    candidates: ['email-worker', 'email', 'email_worker'],
    kinds: ['unavailable'],
    codes: [],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'crashloop on payments-service',
    service: 'payments-service',
    candidates: ['payments-service', 'payments', 'payments_service'],
    kinds: ['unavailable'],
    codes: [],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'is checkout down?',
    service: 'checkout',
    kinds: ['unavailable'],
    codes: [],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'Checkout IS DOWN',
    service: 'checkout',
    kinds: ['unavailable'],
    codes: [],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'svc=checkout 502',
    service: 'checkout',
    kinds: ['errors'],
    codes: [502],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: '503/504 on cart',
    service: 'cart',
    kinds: ['timeouts', 'unavailable', 'errors'],
    codes: [503, 504],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'latency over 500ms on cart',
    service: 'cart',
    kinds: ['latency'],
    codes: [],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'spike in 502s on search',
    service: 'search',
    kinds: ['errors'],
    codes: [502],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'latency spike on search',
    service: 'search',
    kinds: ['latency'],
    codes: [],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: '502 from the load balancer on checkout',
    service: 'checkout',
    kinds: ['errors'],
    codes: [502],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'timeouts calling payments from checkout',
    service: 'checkout',
    kinds: ['dependency', 'timeouts'],
    codes: [],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'deadline exceeded on grpc-gateway',
    service: 'grpc-gateway',
    kinds: ['timeouts'],
    codes: [],
    start: D30,
    end: END,
    source: 'default',
  },
  {
    text: 'deploy broke checkout, 500s since 14:00',
    service: 'checkout',
    kinds: ['errors', 'deploy'],
    codes: [500],
    start: '2026-11-01T14:00:00.000Z',
    end: END,
    source: 'since',
  },
  {
    text: 'errors on Search-API',
    service: 'search-api',
    candidates: ['search-api', 'search', 'search_api'],
    kinds: ['errors'],
    codes: [],
    start: D30,
    end: END,
    source: 'default',
  },
  // Time phrasings.
  {
    text: 'errors in the last hour on checkout',
    service: 'checkout',
    kinds: ['errors'],
    codes: [],
    start: '2026-11-01T14:00:00.000Z',
    end: END,
    source: 'last',
  },
  {
    text: 'in the past hour checkout slow',
    service: 'checkout',
    kinds: ['latency'],
    codes: [],
    start: '2026-11-01T14:00:00.000Z',
    end: END,
    source: 'last',
  },
  {
    text: 'latency on search for 90 minutes',
    service: 'search',
    kinds: ['latency'],
    codes: [],
    start: '2026-11-01T13:30:00.000Z',
    end: END,
    source: 'last',
  },
  {
    text: 'errors on cart for 1h30m',
    service: 'cart',
    kinds: ['errors'],
    codes: [],
    start: '2026-11-01T13:30:00.000Z',
    end: END,
    source: 'last',
  },
  {
    text: 'cart errors for an hour and a half',
    service: 'cart',
    kinds: ['errors'],
    codes: [],
    start: '2026-11-01T13:30:00.000Z',
    end: END,
    source: 'last',
  },
  {
    text: 'traffic surge on search for the last 2 hours',
    service: 'search',
    kinds: ['traffic'],
    codes: [],
    start: '2026-11-01T13:00:00.000Z',
    end: END,
    source: 'last',
  },
  {
    text: '502s on cart 2 hours ago',
    service: 'cart',
    kinds: ['errors'],
    codes: [502],
    start: '2026-11-01T13:00:00.000Z',
    end: END,
    source: 'last',
  },
  {
    text: 'memory on mailer over the past day',
    service: 'mailer',
    kinds: ['memory'],
    codes: [],
    start: '2026-10-31T15:00:00.000Z',
    end: END,
    source: 'last',
  },
  {
    text: 'between 13:00 and 14:00 502 on checkout',
    service: 'checkout',
    kinds: ['errors'],
    codes: [502],
    start: '2026-11-01T13:00:00.000Z',
    end: '2026-11-01T14:00:00.000Z',
    source: 'at',
  },
  {
    text: '502 on checkout at 2pm',
    service: 'checkout',
    kinds: ['errors'],
    codes: [502],
    start: '2026-11-01T13:30:00.000Z',
    end: '2026-11-01T14:00:00.000Z',
    source: 'at',
  },
  {
    text: 'HTTP 503 on cart at 14:00 UTC for 10 minutes',
    service: 'cart',
    kinds: ['unavailable', 'errors'],
    codes: [503],
    start: '2026-11-01T13:50:00.000Z',
    end: '2026-11-01T14:00:00.000Z',
    source: 'at',
  },
  {
    text: '502 on checkout at 14:00 for the last 2h',
    service: 'checkout',
    kinds: ['errors'],
    codes: [502],
    start: '2026-11-01T12:00:00.000Z',
    end: '2026-11-01T14:00:00.000Z',
    source: 'at',
  },
  {
    text: 'checkout 500 errors since yesterday at 14:00',
    service: 'checkout',
    kinds: ['errors'],
    codes: [500],
    start: '2026-10-31T14:00:00.000Z',
    end: END,
    source: 'since',
  },
  {
    text: '2026-11-01T14:00:00.000Z 502 on checkout',
    service: 'checkout',
    kinds: ['errors'],
    codes: [502],
    start: '2026-11-01T13:30:00.000Z',
    end: '2026-11-01T14:00:00.000Z',
    source: 'at',
  },
];

describe('parseSymptom', () => {
  it('covers at least 40 phrasings', () => {
    expect(new Set(ROWS.map((r) => r.text)).size).toBeGreaterThanOrEqual(40);
  });

  it.each(ROWS)('reads "$text"', (row) => {
    const r = parse(row.text);
    expect(r.text).toBe(row.text);
    expect(r.service).toBe(row.service);
    if (row.candidates) expect(r.serviceCandidates).toEqual(row.candidates);
    else expect(r.serviceCandidates[0]).toBe(row.service);
    expect(r.kinds).toEqual(row.kinds);
    expect(r.statusCodes).toEqual(row.codes);
    expect(iso(r.window.start)).toBe(row.start);
    expect(iso(r.window.end)).toBe(row.end);
    expect(r.windowSource).toBe(row.source);
  });

  describe('service', () => {
    it('never takes a time phrase, a stop word or a reporter for the service', () => {
      expect(parse('errors since 14:05').service).toBeNull();
      expect(parse('too many connections to the db').service).toBeNull();
      expect(parse('errors on the api').service).toBeNull();
      expect(parse('users say everything is slow').service).toBeNull();
      expect(parse('502s in prod').service).toBeNull();
    });

    it('prefers "from X" over "to the db", and "on X" over a "from <peer>"', () => {
      expect(parse('too many connections to the db from users-api').service).toBe('users-api');
      const r = parse('429s from payments api on checkout');
      expect(r.service).toBe('checkout');
      expect(r.kinds).toContain('dependency');
    });

    it('does not call the service a dependency when "from X" names the service itself', () => {
      expect(parse('slow responses from inventory').kinds).toEqual(['latency']);
    });

    it('takes a lone name as the service', () => {
      const r = parse('checkout');
      expect(r.service).toBe('checkout');
      expect(r.kinds).toEqual([]);
      expect(r.notes).toContain('No symptom recognised in the text.');
    });

    it('uses the explicit service over the text, as given, and says so', () => {
      const r = parse('502 on checkout', { service: ' Payments ' });
      expect(r.service).toBe('Payments');
      expect(r.serviceCandidates).toEqual(['Payments', 'payments']);
      expect(r.notes).toContain('The text names "checkout"; the explicit service "Payments" is used instead.');
      expect(r.kinds).toEqual(['errors']);
    });

    it('uses the explicit service when the text names none', () => {
      const r = parse('errors', { service: 'cart' });
      expect(r.service).toBe('cart');
      expect(r.notes).not.toContain('No service named.');
    });

    it('ignores an empty explicit service', () => {
      expect(parse('502 on checkout', { service: '  ' }).service).toBe('checkout');
    });

    it('tries every other word that could be a service after the best guess, in text order', () => {
      expect(parse('payments svc throwing 500s').serviceCandidates).toEqual(['payments', 'payments-svc']);
      expect(parse('storefront errors, probably cart').serviceCandidates).toEqual(['storefront', 'cart']);
      expect(parse('getting 429s from stripe on billing').serviceCandidates).toEqual(['billing', 'stripe']);
      expect(parse('emails not sending, email worker stuck').serviceCandidates).toEqual([
        'emails',
        'email-worker',
        'email',
        'email_worker',
      ]);
    });

    it('never tries chat noise, verbs, time words or decorations as a service', () => {
      expect(parse('is payments down rn?? pls help').serviceCandidates).toEqual(['payments']);
      expect(parse("any idea what's going on on my end after the rollout").serviceCandidates).toEqual([]);
      expect(parse('k8s pod for search keeps restarting since breakfast').serviceCandidates).toEqual(['search']);
      expect(parse('502s in prod on kubernetes over http').serviceCandidates).toEqual([]);
    });

    it('reads a bare "api" that opens the sentence as a service called api, but not "the api"', () => {
      expect(parse('api 5xx').serviceCandidates).toEqual(['api']);
      expect(parse('the api is down').service).toBeNull();
    });

    it('keeps a namespaced name whole, then tries the name alone', () => {
      expect(parse('shop/checkout erroring').serviceCandidates).toEqual(['shop/checkout', 'checkout']);
      expect(parse('503/504 on cart').statusCodes).toEqual([503, 504]);
    });

    it('tries the edge last and does not call it a dependency', () => {
      const r = parse('ALB 502s on checkout');
      expect(r.serviceCandidates).toEqual(['checkout', 'alb']);
      expect(r.kinds).toEqual(['errors']);
      expect(parse('tons of timeouts from the ALB').kinds).toEqual(['timeouts']);
    });

    it('ignores Slack mentions, links, emoji codes and entities, keeping a link label', () => {
      expect(parse('<@U123|alice> <!here> :fire: checkout 502s').serviceCandidates).toEqual(['checkout']);
      expect(parse('errors on <https://grafana.example.com/d/abc|search dashboard>').service).toBe('search');
      expect(parse('cart slow, see https://grafana.example.com/d/orders').serviceCandidates).toEqual(['cart']);
      expect(parse('p99 &gt; 2s on search').service).toBe('search');
    });
  });

  describe('status codes and kinds', () => {
    it('reads 5xx as errors with no code and keeps codes in text order', () => {
      expect(parse('5xx on cart').statusCodes).toEqual([]);
      expect(parse('5xx on cart').kinds).toEqual(['errors']);
      expect(parse('504s then 502s on cart').statusCodes).toEqual([504, 502]);
    });

    it('ignores numbers that are not status codes', () => {
      const r = parse('latency 450 ms and 5000 requests on cart, 200 OK');
      expect(r.statusCodes).toEqual([]);
      expect(r.kinds).toEqual(['latency']);
    });

    it('does not read "for 502s" as a 502-second window', () => {
      const r = parse('alerts for 502s on checkout');
      expect(r.statusCodes).toEqual([502]);
      expect(r.windowSource).toBe('default');
    });

    it('does not read a load balancer or a slow-down as traffic or an outage', () => {
      expect(parse('502 from the load balancer on checkout').kinds).toEqual(['errors']);
      expect(parse('checkout slowed down').kinds).toEqual(['latency']);
    });
  });

  describe('time zones', () => {
    it('reads "since 14:05" in the configured zone (Paris is UTC+1 in November)', () => {
      const r = parse('502 on checkout since 14:05', { timeZone: 'Europe/Paris' });
      expect(iso(r.window.start)).toBe('2026-11-01T13:05:00.000Z');
      expect(iso(r.window.end)).toBe(END);
      expect(r.notes).toContain('Times without a zone are read in Europe/Paris.');
    });

    it('reads a date and time without a zone in the configured zone', () => {
      const r = parse('504 on orders at 2026-11-01 14:00', { timeZone: 'Europe/Paris' });
      expect(iso(r.window.end)).toBe('2026-11-01T13:00:00.000Z');
      expect(iso(r.window.start)).toBe('2026-11-01T12:30:00.000Z');
    });

    it('lets a zone in the text win over the configured zone', () => {
      expect(iso(parse('since 13:30 UTC', { timeZone: 'Europe/Paris' }).window.start)).toBe('2026-11-01T13:30:00.000Z');
      expect(iso(parse('at 2026-11-01T14:00Z', { timeZone: 'Europe/Paris' }).window.end)).toBe(
        '2026-11-01T14:00:00.000Z',
      );
      expect(iso(parse('since 14:05 Europe/Paris').window.start)).toBe('2026-11-01T13:05:00.000Z');
      expect(iso(parse('since 14:05 +02:00').window.start)).toBe('2026-11-01T12:05:00.000Z');
      expect(iso(parse('at 9:00 UTC-5').window.end)).toBe('2026-11-01T14:00:00.000Z');
      expect(iso(parse('at 2026-11-01T14:00:00+02:00').window.end)).toBe('2026-11-01T12:00:00.000Z');
    });

    it('uses the right offset on both sides of a DST change (New York leaves DST on 2026-11-01)', () => {
      const zone = { timeZone: 'America/New_York' };
      expect(iso(parse('since 00:30', zone).window.start)).toBe('2026-11-01T04:30:00.000Z'); // EDT, UTC-4
      expect(iso(parse('since 09:00', zone).window.start)).toBe('2026-11-01T14:00:00.000Z'); // EST, UTC-5
      // 05:00 read as UTC falls before the change (06:00Z) but the answer falls after it: needs the second pass.
      expect(iso(parse('since 05:00', zone).window.start)).toBe('2026-11-01T10:00:00.000Z');
    });

    it('reads times as UTC when no zone is configured, and says so', () => {
      const r = parse('since 14:05');
      expect(iso(r.window.start)).toBe('2026-11-01T14:05:00.000Z');
      expect(r.notes).toContain('Times without a zone are read as UTC (no time zone is configured).');
    });
  });

  describe('chat times', () => {
    it('reads "since breakfast" as since 08:00 today in the configured zone, and says so', () => {
      const r = parse('checkout errors since breakfast', { timeZone: 'Europe/Paris' });
      expect(iso(r.window.start)).toBe('2026-11-01T07:00:00.000Z');
      expect(r.windowSource).toBe('since');
      expect(r.notes).toContain('"since breakfast" is read as since 08:00 today (Europe/Paris).');
      expect(r.notes.join(' ')).not.toContain('not a time');
    });

    it('reads "since this morning" as 08:00 and "since lunch" as 12:00', () => {
      expect(iso(parse('since this morning').window.start)).toBe('2026-11-01T08:00:00.000Z');
      expect(iso(parse('cart slow since lunch').window.start)).toBe('2026-11-01T12:00:00.000Z');
    });

    it('takes yesterday for a day part later than now, and says so', () => {
      const r = parse('since lunch', { now: new Date('2026-11-01T09:00:00Z') });
      expect(iso(r.window.start)).toBe('2026-10-31T12:00:00.000Z');
      expect(r.notes).toContain('"since lunch" is read as since 12:00 yesterday (UTC).');
    });

    it('reads "~09:40", "about 9:40", "10ish" and "like 10 min" as those times', () => {
      expect(iso(parse('since ~09:40').window.start)).toBe('2026-11-01T09:40:00.000Z');
      expect(iso(parse('since about 9:40').window.start)).toBe('2026-11-01T09:40:00.000Z');
      expect(iso(parse('cart 5xx since 10ish').window.start)).toBe('2026-11-01T10:00:00.000Z');
      expect(iso(parse('errors at ~14:00').window.end)).toBe('2026-11-01T14:00:00.000Z');
      expect(iso(parse('slow for like 10 min').window.start)).toBe('2026-11-01T14:50:00.000Z');
    });

    it('quotes a time phrase as typed after Slack markup', () => {
      expect(() => parse('<@U123> Cart slow SINCE 25:00')).toThrow(/"SINCE 25:00" is not a valid time of day/);
    });
  });

  describe('the yesterday rule', () => {
    it('takes yesterday for "since" a clock time later than now', () => {
      const r = parse('errors on cart since 16:00');
      expect(iso(r.window.start)).toBe('2026-10-31T16:00:00.000Z');
      expect(iso(r.window.end)).toBe(END);
      expect(r.windowSource).toBe('since');
      expect(r.notes).toContain(
        '"since 16:00" would be later than now today, so it means the day before: 2026-10-31T16:00:00Z.',
      );
    });

    it('takes yesterday for "at" a clock time later than now', () => {
      const r = parse('errors on cart at 16:00');
      expect(iso(r.window.start)).toBe('2026-10-31T15:30:00.000Z');
      expect(iso(r.window.end)).toBe('2026-10-31T16:00:00.000Z');
    });

    it('keeps today for a clock time earlier than now', () => {
      expect(iso(parse('errors at 14:59').window.end)).toBe('2026-11-01T14:59:00.000Z');
    });

    it('finds yesterday in the configured zone, across the DST change', () => {
      // 15:00Z is 10:00 EST; yesterday 11:00 was still EDT (UTC-4).
      const r = parse('since 11:00', { timeZone: 'America/New_York' });
      expect(iso(r.window.start)).toBe('2026-10-31T15:00:00.000Z');
    });

    it('reads "yesterday at" and "today at" literally', () => {
      expect(iso(parse('yesterday at 16:00').window.end)).toBe('2026-10-31T16:00:00.000Z');
      expect(iso(parse('today at 14:00').window.end)).toBe('2026-11-01T14:00:00.000Z');
    });
  });

  describe('explicit options', () => {
    it('lets options.at win over the text and keeps the text duration', () => {
      const at = new Date('2026-11-01T12:00:00Z');
      const r = parse('502 on checkout at 14:00 for the last 2h', { at });
      expect(iso(r.window.end)).toBe('2026-11-01T12:00:00.000Z');
      expect(iso(r.window.start)).toBe('2026-11-01T10:00:00.000Z');
      expect(r.windowSource).toBe('at');
      expect(r.notes).toContain('The explicit time 2026-11-01T12:00:00Z is used instead of "at 14:00".');
    });

    it('lets options.sinceSeconds win over the text', () => {
      const r = parse('502 on checkout since 14:05', { sinceSeconds: 600 });
      expect(iso(r.window.start)).toBe('2026-11-01T14:50:00.000Z');
      expect(iso(r.window.end)).toBe(END);
      expect(r.windowSource).toBe('last');
      expect(r.notes).toContain('The explicit look-back (10 minutes) is used instead of "since 14:05".');
    });

    it('combines options.at and options.sinceSeconds', () => {
      const r = parse('502 on checkout', { at: new Date('2026-11-01T12:00:00Z'), sinceSeconds: 3600 });
      expect(iso(r.window.start)).toBe('2026-11-01T11:00:00.000Z');
      expect(iso(r.window.end)).toBe('2026-11-01T12:00:00.000Z');
      expect(r.windowSource).toBe('at');
    });

    it('reads "since" a clock time before options.at', () => {
      const r = parse('502 on checkout since 11:00', { at: new Date('2026-11-01T12:00:00Z') });
      expect(iso(r.window.start)).toBe('2026-11-01T11:00:00.000Z');
      expect(iso(r.window.end)).toBe('2026-11-01T12:00:00.000Z');
    });

    it('uses defaultWindowSeconds when nothing is said', () => {
      const r = parse('502 on checkout', { defaultWindowSeconds: 3600 });
      expect(iso(r.window.start)).toBe('2026-11-01T14:00:00.000Z');
      expect(r.notes).toContain('No time given: the hour before now.');
    });

    it('anchors the default window before options.at', () => {
      const r = parse('502 on checkout', { at: new Date('2026-11-01T14:00:00Z') });
      expect(iso(r.window.start)).toBe('2026-11-01T13:30:00.000Z');
      expect(r.notes).toContain('No duration given: the 30 minutes before 2026-11-01T14:00:00Z.');
    });
  });

  describe('notes', () => {
    it('says when no time and no service were given', () => {
      const r = parse('lots of 502s');
      expect(r.notes).toContain('No time given: the 30 minutes before now.');
      expect(r.notes).toContain('No service named.');
    });

    it('says when a "since" phrase is not a time, but not for "since the deploy"', () => {
      expect(parse('errors on cart since yesterday').notes).toContain(
        '"since yesterday" is not a time Triage can read, so it was ignored.',
      );
      expect(parse('errors on cart since the last deploy').notes.join(' ')).not.toContain('not a time');
    });

    it('keeps the first of two conflicting time phrases and notes the other', () => {
      const r = parse('since 13:00 for the last 2h on cart');
      expect(iso(r.window.start)).toBe('2026-11-01T13:00:00.000Z');
      expect(r.notes).toContain('"for the last 2h" was ignored: the text already gives that part of the window.');
    });
  });

  describe('empty or meaningless text', () => {
    it.each(['', '   ', 'hello?', 'something weird'])('returns no kinds and no service for %j', (text) => {
      const r = parse(text);
      expect(r.text).toBe(text.trim());
      expect(r.service).toBeNull();
      expect(r.serviceCandidates).toEqual([]);
      expect(r.kinds).toEqual([]);
      expect(r.statusCodes).toEqual([]);
      expect(iso(r.window.start)).toBe(D30);
      expect(iso(r.window.end)).toBe(END);
      expect(r.windowSource).toBe('default');
      expect(r.notes).toEqual([
        'No time given: the 30 minutes before now.',
        'No service named.',
        'No symptom recognised in the text.',
      ]);
    });
  });

  describe('errors', () => {
    const cases: { name: string; text: string; options?: Partial<ParseSymptomOptions>; message: RegExp }[] = [
      {
        name: 'an impossible clock time',
        text: '502 on checkout since 25:99',
        message: /"since 25:99" is not a valid time of day/,
      },
      { name: 'minutes over 59', text: 'errors at 13:60', message: /"at 13:60" is not a valid time of day/ },
      { name: 'an hour over 12 with pm', text: 'errors at 13pm', message: /"at 13pm" is not a valid time of day/ },
      {
        name: 'an impossible date',
        text: 'errors at 2026-02-30 14:00',
        message: /"at 2026-02-30 14:00" is not a valid date/,
      },
      {
        name: 'an at with no time of day',
        text: 'errors at 2026-11-01',
        message: /"at 2026-11-01" has no time of day/,
      },
      { name: 'a zero duration', text: 'errors for the last 0m', message: /"for the last 0m" is an empty window/ },
      {
        name: 'a duration over 7 days',
        text: 'errors for the last 8d',
        message: /"for the last 8d" is longer than 7 days/,
      },
      {
        name: 'a duration in weeks over 7 days',
        text: 'errors since 2 weeks',
        message: /"since 2 weeks" is longer than 7 days/,
      },
      {
        name: 'an at in the future',
        text: '502 on checkout at 2026-11-01T16:00Z',
        message: /"at 2026-11-01T16:00Z" \(2026-11-01T16:00:00Z\) is in the future \(now is 2026-11-01T15:00:00Z\)/,
      },
      { name: 'today at a later time', text: 'errors today at 16:00', message: /"today at 16:00" .* is in the future/ },
      {
        name: 'a since after now',
        text: 'errors since 2026-11-02 10:00',
        message: /"since 2026-11-02 10:00" \(2026-11-02T10:00:00Z\) is not before the end of the window/,
      },
      {
        name: 'a since more than 7 days ago',
        text: 'errors since 2026-10-20 00:00',
        message: /"since 2026-10-20 00:00" .* is 12 days 15 hours long; Triage diagnoses at most 7 days/,
      },
      {
        name: 'an unknown zone in the text',
        text: 'errors since 14:05 Mars/Olympus',
        message: /Unknown time zone "mars\/olympus" in "since 14:05 Mars\/Olympus"/,
      },
      {
        name: 'an invalid offset',
        text: 'errors at 2026-11-01T14:00+25:00',
        message: /"\+25:00" in "at 2026-11-01T14:00\+25:00" is not a valid UTC offset/,
      },
      {
        name: 'an unknown configured zone',
        text: '502 on checkout',
        options: { timeZone: 'Nowhere/Land' },
        message: /Unknown time zone "Nowhere\/Land": use an IANA name such as "Europe\/Paris"/,
      },
      {
        name: 'options.at in the future',
        text: '502 on checkout',
        options: { at: new Date('2026-11-01T16:00:00Z') },
        message: /The explicit time 2026-11-01T16:00:00Z is in the future/,
      },
      {
        name: 'an invalid options.at',
        text: '502 on checkout',
        options: { at: new Date('not a date') },
        message: /The explicit time \(at\) is not a valid date/,
      },
      {
        name: 'a zero options.sinceSeconds',
        text: '502 on checkout',
        options: { sinceSeconds: 0 },
        message: /The explicit look-back of 0 seconds is not usable/,
      },
      {
        name: 'an options.sinceSeconds over 7 days',
        text: '502 on checkout',
        options: { sinceSeconds: 8 * 86_400 },
        message: /The explicit look-back of 691200 seconds is not usable: it must be above zero and at most 7 days/,
      },
      {
        name: 'a NaN options.sinceSeconds',
        text: '502 on checkout',
        options: { sinceSeconds: Number.NaN },
        message: /The explicit look-back of NaN seconds is not usable/,
      },
      {
        name: 'a bad defaultWindowSeconds',
        text: '502 on checkout',
        options: { defaultWindowSeconds: -1 },
        message: /The default window of -1 seconds is not usable/,
      },
    ];

    it.each(cases)('throws a SymptomError naming $name', ({ text, options, message }) => {
      let thrown: unknown;
      try {
        parse(text, options);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(SymptomError);
      expect((thrown as SymptomError).code).toBe('symptom_invalid');
      expect((thrown as SymptomError).message).toMatch(message);
    });

    it('does not throw for text it does not understand', () => {
      expect(() => parse('since forever, on and off, at some point')).not.toThrow();
    });
  });

  describe('purity', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('reads the time from options.now, never from the clock', () => {
      vi.useFakeTimers();
      vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
      const r = parse('502 on checkout since 14:05');
      expect(iso(r.window.start)).toBe('2026-11-01T14:05:00.000Z');
      expect(iso(r.window.end)).toBe(END);
    });

    // A regex with catastrophic backtracking takes minutes on these; the test's timeout is the hang guard.
    it('parses long adversarial text without a regex blow-up', { timeout: 10_000 }, () => {
      const inputs = [
        `errors for ${'1h '.repeat(1300)}x`,
        `${'1 1 1 '.repeat(600)}ago`,
        `at 2026-11-01${' '.repeat(3000)}x`,
        `${'since '.repeat(600)}14`,
      ];
      for (const text of inputs) {
        try {
          expect(parse(text).text.length).toBeGreaterThan(0);
        } catch (err) {
          expect(err).toBeInstanceOf(SymptomError);
        }
      }
    });
  });
});
