/**
 * How label values carry a service's name. Real Prometheus data names one service in many shapes: `checkout`,
 * `shop/checkout` (the OpenTelemetry collector's `namespace/service` job), `shop-checkout-8080@kubernetes`
 * (Traefik), `outbound|8080||checkout.shop.svc.cluster.local` (Envoy), `shop/checkout/8080/da39a3ee5e` (Contour),
 * `prod-checkout-http`, `checkout-7d9f8b6c4-x2x9q` (a pod). These helpers read a value the way an engineer would,
 * and tell a value that names the service from one that names its database (`checkout-redis`) or another
 * workload of the same team (`checkout-worker`).
 */

/** Words that decorate a name without changing what it names: environments, protocols, roles, providers. */
const DECORATIONS = new Set(
  `prod production prd live staging stage stg dev develop development test testing qa uat preprod canary stable
  primary main blue green http https http2 grpc grpcs h2c tcp udp ws metrics metric svc service srv server backend
  be web api app application outbound inbound ingress egress cluster local internal external kubernetes k8s
  kubernetescrd kubernetesingress kubernetesgateway docker file consul consulcatalog ecs marathon nomad rancher
  default public private v1 v2 v3 lb`.split(/\s+/),
);

/** Words that make a value name a data store, cache or queue rather than an application. */
const DATASTORE_WORDS = new Set(
  `db dbs database databases postgres postgresql pg pgsql psql pgbouncer mysql mariadb mssql sqlserver oracle
  sqlite redis rediss valkey keydb memcached memcache cache mongo mongodb mongos cassandra scylla dynamo dynamodb
  elasticsearch elastic es opensearch solr kafka rabbit rabbitmq amqp nats sqs queue queues mq pulsar zookeeper zk
  etcd clickhouse influx influxdb couchdb couchbase neo4j`.split(/\s+/),
);

/** A token that is a port, a number or a generated hash (pod and replica-set suffixes, Contour's cluster hash). */
function isNoiseToken(token: string): boolean {
  if (/^\d+$/.test(token)) return true;
  // Kubernetes draws its generated names from an alphabet without vowels (`dnlbs`, `x2x9q`): no word looks like that.
  if (/^[bcdfghjklmnpqrstvwxz2456789]{5,10}$/.test(token)) return true;
  // Kubernetes' generated suffixes are 5–10 characters of [a-z0-9] that mix letters and digits.
  return /^[a-z0-9]{5,10}$/.test(token) && /\d/.test(token) && /[a-z]/.test(token);
}

function tokens(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((t) => t !== '');
}

/** How a label value relates to a candidate service name. */
export type NameMatch =
  /** The value is the name (case aside). */
  | 'exact'
  /** The value is the name wrapped in namespaces, ports, providers, environments or hashes. */
  | 'own'
  /** The value names a data store, cache or queue of the service (`carts-redis`, `users-db`). */
  | 'dependency'
  /** The value names another workload that carries the name (`checkout-worker`, `checkout-queue-exporter`). */
  | 'related';

/**
 * The parts of a value that may be a service name: the value itself, each `/`-separated part (namespaces,
 * Contour's `ns/service/port/hash`), the value before `@` (Traefik providers), the first DNS label of a
 * `svc.cluster.local` host, and the host of a URL (`redis://carts-redis:6379`).
 *
 * @example parts('shop/checkout') // ['shop/checkout', 'shop', 'checkout']
 */
export function parts(value: string): string[] {
  const lower = value.toLowerCase().trim();
  const out = new Set<string>([lower]);
  const withoutScheme = lower.replace(/^[a-z][a-z0-9+.-]*:\/\//, '');
  out.add(withoutScheme);
  for (const piece of withoutScheme.split(/[/|]/)) {
    if (piece === '') continue;
    const beforeAt = piece.split('@')[0] ?? piece;
    const host = beforeAt.replace(/:\d+$/, '');
    out.add(host);
    // checkout.shop.svc.cluster.local → checkout; checkout.shop → checkout.
    const dns = host.split('.');
    if (dns.length > 1 && dns[0]) out.add(dns[0]);
  }
  return [...out].filter((p) => p !== '');
}

/**
 * Compares one label value with one candidate name. `null` when the value does not carry the name as a whole
 * token sequence ("cart" is not in "carts"; "checkout" is in "shop/checkout" and in "checkout-redis").
 *
 * @example matchName('checkout', 'shop-checkout-8080@kubernetes') // 'own'
 * @example matchName('carts', 'carts-redis') // 'dependency'
 */
export function matchName(candidate: string, value: string): NameMatch | null {
  const name = candidate.toLowerCase().trim();
  if (name === '') return null;
  if (value.toLowerCase().trim() === name) return 'exact';
  const wanted = tokens(name);
  if (wanted.length === 0) return null;
  let best: NameMatch | null = null;
  for (const part of parts(value)) {
    if (part === name) return 'own';
    const have = tokens(part);
    for (let i = 0; i + wanted.length <= have.length; i++) {
      if (!wanted.every((w, k) => have[i + k] === w)) continue;
      const before = have.slice(0, i);
      const after = have.slice(i + wanted.length);
      const extra = [...before, ...after].filter((t) => !DECORATIONS.has(t) && !isNoiseToken(t));
      // Unknown words may only stand before the name when the value is structured (a namespace prefix such as
      // Traefik's `ns-service-port@provider`): a word after the name makes it another thing.
      const structured = /[@/|]/.test(value) || (after.length > 0 && after.every((t) => isNoiseToken(t)));
      const unknownAfter = after.filter((t) => !DECORATIONS.has(t) && !isNoiseToken(t));
      let kind: NameMatch;
      if (extra.some((t) => DATASTORE_WORDS.has(t))) kind = 'dependency';
      else if (extra.length === 0) kind = 'own';
      else if (unknownAfter.length === 0 && structured) kind = 'own';
      else kind = 'related';
      best = better(best, kind);
    }
  }
  return best;
}

const RANK: Record<NameMatch, number> = { exact: 0, own: 1, dependency: 2, related: 3 };

function better(a: NameMatch | null, b: NameMatch): NameMatch {
  return a === null || RANK[b] < RANK[a] ? b : a;
}

/** True for a match that names the service itself (its own metrics), not a store or another workload. */
export function isOwnMatch(match: NameMatch | 'named' | null): match is 'exact' | 'own' {
  return match === 'exact' || match === 'own';
}

/** The datastore word in a value that names a dependency (`redis` in `carts-redis`), for display. */
export function datastoreWord(value: string): string | undefined {
  return tokens(value).find((t) => DATASTORE_WORDS.has(t));
}

/**
 * The first candidate (best first) that some known value names as its own, with the value. "A real service
 * name anywhere in the text wins over a word that is not one": candidates no value names are passed over.
 */
export function pickService(
  candidates: readonly string[],
  values: Iterable<string>,
): { candidate: string; value: string; match: 'exact' | 'own' } | null {
  const list = [...new Set(values)];
  for (const candidate of candidates) {
    let found: { value: string; match: 'exact' | 'own' } | null = null;
    for (const value of list) {
      const match = matchName(candidate, value);
      if (match === 'exact') return { candidate, value, match };
      if (match === 'own' && !found) found = { value, match };
    }
    if (found) return { candidate, ...found };
  }
  return null;
}

/**
 * An RE2 pattern that matches every value in which one of the candidates stands as a whole token sequence
 * (what {@link matchName} can accept), case-insensitively; the values are escaped so user text is never syntax.
 */
export function tokenPattern(candidates: readonly string[]): string {
  const escaped = [...new Set(candidates.map((c) => c.toLowerCase().trim()).filter((c) => c !== ''))]
    .map((c) =>
      tokens(c)
        .map((t) => t.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&'))
        .join('[^a-z0-9]+'),
    )
    .filter((e) => e !== '');
  return `(?i)(?:.*[^a-z0-9])?(?:${escaped.join('|')})(?:[^a-z0-9].*)?`;
}

/** Words of metric names themselves: a symptom's "time out" or "memory" never names a service by its metrics. */
const METRIC_WORDS = new Set(
  `time times timeout timeouts seconds second ms total count sum bucket bytes size ratio percent info status state
  request requests response responses error errors fail failed failures memory heap cpu disk network net io process
  processes thread threads worker workers pool pools queue queues job jobs task tasks event events message messages
  connection connections conn conns client server http grpc duration latency node host system cache up down
  slow fast page pages load`.split(/\s+/),
);

/** True when a candidate may name a service through its metrics' names: 4 characters or more, not a metric word. */
function canNameMetrics(candidate: string): boolean {
  const t = tokens(candidate);
  return t.join('').length >= 4 && !t.every((x) => METRIC_WORDS.has(x));
}

/**
 * An RE2 pattern matching metric names that carry one of the candidates as a run of `_`-separated words
 * (`acme_billing_requests_total` for billing), for services known only by their metrics' names. Candidates shorter
 * than 4 characters are left out: `api_` or `web_` would name half of any Prometheus. Undefined when none is left.
 */
export function metricNamePattern(candidates: readonly string[]): string | undefined {
  const runs = [...new Set(candidates.filter(canNameMetrics).map((c) => tokens(c).join('_')))];
  if (runs.length === 0) return undefined;
  return `(?i)(?:.*_)?(?:${runs.join('|')})_.+`;
}

/** True when a metric name carries the candidate as a run of words (`acme_billing_jobs_total` for billing). */
export function nameCarries(metric: string, candidate: string): boolean {
  if (!canNameMetrics(candidate)) return false;
  const run = tokens(candidate).join('_');
  return `_${metric.toLowerCase()}_`.includes(`_${run}_`) && metric.toLowerCase() !== run;
}

/**
 * The name a candidate stands for once host numbers and generated suffixes are dropped: `reports-01` is the reports
 * service's first host, `checkout-7d9f8b6c4-x2x9q` one of its pods.
 */
export function withoutInstanceSuffix(candidate: string): string {
  const t = tokens(candidate);
  while (t.length > 1 && isNoiseToken(t[t.length - 1] ?? '')) t.pop();
  return t.join('-');
}
