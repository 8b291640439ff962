import { describe, expect, it } from 'vitest';
import { isBookkeeping, limitFor, meaningOf } from '../../../src/domain/scan/name-meaning.js';

describe('meaningOf', () => {
  it.each([
    ['billing_jobs_failed_total', undefined, 'errors'],
    ['acme_cart_requests_total', '5xx', 'errors'],
    ['orders_upstream_calls_errors_total', undefined, 'peer-errors'],
    ['worker_queue_depth', undefined, 'backlog'],
    ['kafka_consumer_lag', undefined, 'backlog'],
    ['phpfpm_active_processes', undefined, 'saturated'],
    ['app_heap_used_bytes', undefined, 'memory'],
    ['job_retries_total', undefined, 'retries'],
    ['api_rate_limited_total', undefined, 'throttled'],
    ['payment_gateway_client_latency_seconds', undefined, 'peer-latency'],
    ['node_load1', undefined, undefined],
    ['payouts_db_wait_count_total', undefined, 'pool-waits'],
    ['hikaricp_pending_threads', undefined, 'pool-waits'],
    ['uwsgi_worker_respawn_count_total', undefined, 'restarts'],
    ['uwsgi_worker_harakiri_count_total', undefined, 'restarts'],
    ['sidekiq_jobs_dead_count', undefined, 'errors'],
    ['container_cpu_cfs_throttled_seconds_total', undefined, 'cpu'],
    ['node_memory_MemAvailable_bytes', undefined, undefined],
  ])('%s (%s) → %s', (name, status, meaning) => {
    // Read as a count (a rate), the way the scan reads `_total` families.
    expect(meaningOf(name, status, true, !name.endsWith('_total'))).toBe(meaning);
  });

  it("reads work arriving from rates only, and not from the service's own name", () => {
    expect(meaningOf('sidekiq_jobs_scheduled_count', undefined, true, true)).toBeUndefined();
    expect(meaningOf('acme_cart_requests_total', '2xx', true, false)).toBe('traffic');
    expect(meaningOf('survey_api_gunicorn_request_duration', undefined, true, false, 'survey-api')).toBe('latency');
    expect(meaningOf('survey_api_gunicorn_request_duration', undefined, true, false)).toBe('peer-latency');
  });

  it('reads nothing into a drop of errors', () => {
    expect(meaningOf('billing_jobs_failed_total', undefined, false)).toBeUndefined();
  });
});

describe('isBookkeeping / limitFor', () => {
  it('leaves timestamps and build info out, and finds a pool limit by shared words', () => {
    expect(isBookkeeping('process_start_time_seconds')).toBe(true);
    expect(isBookkeeping('app_build_info')).toBe(true);
    expect(isBookkeeping('acme_requests_total')).toBe(false);
    expect(limitFor('worker_pool_busy', ['worker_pool_busy', 'worker_pool_max', 'http_requests_total'])).toBe(
      'worker_pool_max',
    );
  });
});

describe('meaningOf on levels that fall', () => {
  it('reads memory left falling as memory used rising, and idle or free words no other way', () => {
    expect(meaningOf('node_memory_MemAvailable_bytes', undefined, false, true)).toBe('memory');
    expect(meaningOf('node_memory_MemFree_bytes', undefined, false, true)).toBe('memory');
    expect(meaningOf('node_memory_MemAvailable_bytes', undefined, true, true)).toBeUndefined();
    expect(meaningOf('phpfpm_max_children_reached', undefined, true, false)).toBe('saturated');
  });
});
