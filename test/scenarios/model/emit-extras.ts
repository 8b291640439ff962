import type { Labels } from '../../support/prometheus/openmetrics-writer.js';
import type { HandleCache } from './accumulators.js';
import { hash32, type Noise } from './noise.js';
import { scrapedAt } from './simulate.js';
import type { ServiceModel } from './types.js';

function phaseOf(text: string): { phase: number; ms: number } {
  const h = hash32(text);
  return { phase: 5 * (h % 12), ms: 1 + ((h >>> 8) % 998) };
}

/** postgres_exporter for the service's database. */
export function emitPostgres(model: ServiceModel, handles: HandleCache, noise: Noise, t: number): void {
  const pg = model.postgres;
  if (!pg) return;
  const { phase, ms } = phaseOf(pg.pod);
  if (!scrapedAt(phase, t)) return;
  const ts = t - ms / 1000;
  const target = { job: 'postgres-exporter', instance: `${pg.ip}:9187`, namespace: model.namespace, pod: pg.pod };
  const g = (family: string, key: string, labels: () => Labels, value: number) =>
    handles.series(family, family, `${pg.pod}|${key}`, labels).add(ts, value);
  g('up', 'up', () => target, 1);
  g('pg_up', '', () => target, 1);
  g('pg_settings_max_connections', '', () => target, pg.maxConnections);
  const c = pg.connections(t);
  const app = { datname: pg.datname, usename: pg.usename, application_name: pg.applicationName };
  const states: ReadonlyArray<readonly [string, number]> = [
    ['active', c.active],
    ['idle', c.idle],
    ['idle in transaction', c.idleInTransaction],
    ['idle in transaction (aborted)', 0],
    ['fastpath function call', 0],
    ['disabled', 0],
  ];
  for (const [state, n] of states) {
    g('pg_stat_activity_count', `app|${state}`, () => ({ ...target, ...app, state }), Math.max(0, Math.round(n)));
  }
  const exporter = { datname: 'postgres', usename: 'postgres_exporter', application_name: '' };
  g('pg_stat_activity_count', 'exporter|active', () => ({ ...target, ...exporter, state: 'active' }), 1);
  const maxTx = pg.maxTxDurationSeconds(t) * (1 + 0.08 * noise.white('pg-tx', t));
  g(
    'pg_stat_activity_max_tx_duration',
    'app|active',
    () => ({ ...target, ...app, state: 'active' }),
    Math.round(Math.max(0, maxTx) * 1e6) / 1e6,
  );
  g(
    'pg_stat_activity_max_tx_duration',
    'app|idle in transaction',
    () => ({ ...target, ...app, state: 'idle in transaction' }),
    c.idleInTransaction > 0
      ? Math.round(
          (pg.maxIdleInTxDurationSeconds?.(t) ?? 0.004 + 0.003 * (1 + noise.white('pg-iit', t))) *
            (1 + 0.1 * noise.white('pg-iit2', t)) *
            1e6,
        ) / 1e6
      : 0,
  );
  g('pg_stat_activity_max_tx_duration', 'exporter|active', () => ({ ...target, ...exporter, state: 'active' }), 0.001);
}

/** blackbox_exporter HTTP probes of the service's dependencies. */
export function emitBlackbox(model: ServiceModel, handles: HandleCache, noise: Noise, t: number): void {
  for (const probe of model.blackbox ?? []) {
    const { phase, ms } = phaseOf(probe.target);
    if (!scrapedAt(phase, t)) continue;
    const ts = t - ms / 1000;
    const target = { job: 'blackbox-http', instance: probe.target };
    const ok = noise.uniform(`probe:${probe.target}`, t) >= probe.failureProbability(t);
    const g = (family: string, value: number) =>
      handles.series(family, family, `probe|${probe.target}`, () => target).add(ts, value);
    g('up', 1);
    g('probe_success', ok ? 1 : 0);
    g('probe_http_status_code', ok ? probe.okStatus : probe.failStatus);
    g('probe_duration_seconds', Math.round(probe.duration(t, ok) * 1e6) / 1e6);
  }
}
