import { CachedLogSource } from '../adapters/cache/cached-log-source.js';
import { ElasticsearchLogSource, elasticsearchRequest } from '../adapters/elasticsearch/elasticsearch-log-source.js';
import { LokiLogSource, lokiRequest } from '../adapters/loki/loki-log-source.js';
import { BreakerLogSource } from '../adapters/resilience/breaker-sources.js';
import { type BreakerOptions, CircuitBreaker } from '../adapters/resilience/circuit-breaker.js';
import type { LogSource } from '../domain/ports.js';

export interface LogSourceConfig {
  loki?: { url: string; tenant?: string; serviceLabel?: string; grafanaUrl?: string };
  elasticsearch?: {
    url: string;
    index?: string;
    username?: string;
    password?: string;
    apiKey?: string;
    serviceField?: string;
    levelField?: string;
    messageField?: string;
    kibanaUrl?: string;
  };
  timeoutMs: number;
  breaker?: BreakerOptions;
}

/**
 * The configured log store, behind a circuit breaker and cached like Prometheus: Loki when LOKI_URL is set, else
 * Elasticsearch when ELASTICSEARCH_URL is, else none.
 */
export function createLogSource(
  config: LogSourceConfig,
): { source: CachedLogSource; breaker: CircuitBreaker } | undefined {
  const source = createUncachedLogSource(config);
  if (!source) return undefined;
  const breaker = new CircuitBreaker(source.name, config.loki?.url ?? config.elasticsearch?.url ?? '', config.breaker);
  return { source: new CachedLogSource(new BreakerLogSource(source, breaker)), breaker };
}

function createUncachedLogSource(config: LogSourceConfig): LogSource | undefined {
  const { loki, elasticsearch: es, timeoutMs } = config;
  if (loki) {
    const reach = { url: loki.url, timeoutMs, ...(loki.tenant ? { tenant: loki.tenant } : {}) };
    return new LokiLogSource({
      ...reach,
      ...(loki.serviceLabel ? { serviceLabel: loki.serviceLabel } : {}),
      ...(loki.grafanaUrl ? { grafanaUrl: loki.grafanaUrl } : {}),
      request: lokiRequest(reach),
    });
  }
  if (es) {
    const auth = es.apiKey
      ? { apiKey: es.apiKey }
      : es.username && es.password
        ? { username: es.username, password: es.password }
        : undefined;
    const reach = { url: es.url, timeoutMs, ...(auth ? { auth } : {}) };
    return new ElasticsearchLogSource({
      ...reach,
      ...(es.index ? { index: es.index } : {}),
      fields: {
        ...(es.serviceField ? { service: es.serviceField } : {}),
        ...(es.levelField ? { level: es.levelField } : {}),
        ...(es.messageField ? { message: es.messageField } : {}),
      },
      ...(es.kibanaUrl ? { kibanaUrl: es.kibanaUrl } : {}),
      request: elasticsearchRequest(reach),
    });
  }
  return undefined;
}
