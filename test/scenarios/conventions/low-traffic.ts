/**
 * Services with under one request per second: internal tools used by a few people during office hours. Requests
 * arrive one by one (Poisson arrivals on each 5 s tick), so a 5-minute rate holds a few dozen requests, a p99 is
 * decided by a handful of them and the request rate swings ×3 from one quarter hour to the next. Nothing of that
 * is an incident; a real fault must still stand out of it.
 */
import { hash32, uniform } from '../model/noise.js';
import {
  baseLimits,
  baseResources,
  HOUR,
  healthy,
  ramp,
  sec,
  steadyRoute,
  windows,
  withFailure,
} from '../model/profiles.js';
import { replicaSet, type ScenarioDefinition, scenarioOf, steadyDeployment } from '../model/scenario-kit.js';
import { TICK } from '../model/simulate.js';

/** A Poisson draw with mean `lambda` from a uniform `u` (inverse CDF; fine for the small means used here). */
function poisson(lambda: number, u: number): number {
  let k = 0;
  let p = Math.exp(-lambda);
  let cumulative = p;
  while (u > cumulative && k < 1000) {
    k++;
    p *= lambda / k;
    cumulative += p;
  }
  return k;
}

/**
 * Arrivals of an office-hours tool: a mean wandering between ~0.1 and ~0.6 req/s on working hours (UTC 07–17),
 * ~0.02 at night, drawn as whole requests per 5 s tick.
 */
function officeHoursArrivals(seed: string): (t: number) => number {
  const key = hash32(`${seed}:arrivals`);
  const wander = hash32(`${seed}:wander`);
  return (t) => {
    const hour = (((t % 86_400) + 86_400) % 86_400) / HOUR;
    const working = hour >= 7 && hour < 17;
    // A smooth wander between 0.1 and 0.6 req/s (people opening and closing the tool), knots every 15 minutes.
    const knot = Math.floor(t / 900);
    const a = uniform(wander, knot);
    const b = uniform(wander, knot + 1);
    const f = (t / 900 - knot) * Math.PI;
    const mix = a + ((b - a) * (1 - Math.cos(f))) / 2;
    const mean = working ? 0.1 + 0.5 * mix : 0.02;
    const tick = Math.floor(t / TICK);
    return poisson(mean * TICK, uniform(key, tick)) / TICK;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// healthy (prom-client): an admin console with a few users; its numbers jump, nothing is wrong.

function opsConsoleHealthy(): ScenarioDefinition {
  const at = sec('2026-10-07T14:40:00Z');
  const onset = sec('2026-10-07T14:25:00Z');
  const created = sec('2026-10-02T08:15:00Z');
  const scenario = scenarioOf(
    {
      id: 'healthy-low-traffic',
      service: 'ops-console',
      namespace: 'internal',
      convention: 'prom-client',
      cause: 'healthy',
      symptom: 'ops-console feels flaky since 14:25, is something wrong?',
      description:
        'ops-console is the internal admin tool of the support team (Node.js, prom-client, three replicas). It sees ' +
        '0.1–0.6 requests per second in office hours, arriving one by one: a 5-minute window holds 30–180 requests, ' +
        'so its request rate swings ×3 within the hour and its p99 is set by a few slow audit-log pages. It was the ' +
        'same a day earlier. No 5xx, no deploy, no restarts, resources low.',
      extras: [],
      // A p99 of a few requests lands in the 0.5–1 s bucket as often now as a day earlier: reported as chronic.
      harmless: ['latency-p99'],
      ceiling: 0.2,
      evidence: [
        'http_requests_total rate between ~0.1 and ~0.6/s with Poisson noise, the same range a day earlier',
        'p99 of http_request_duration_seconds jumps between ~0.1 and ~0.5 s from one 5-minute window to the next',
        'no 5xx; 403s on role changes by non-admins are client errors',
        'CPU < 5 % of the limit, memory flat, no restarts, no version change',
      ],
    },
    at,
    onset,
    3,
    true,
  );
  return {
    scenario,
    build: () => ({
      service: 'ops-console',
      namespace: 'internal',
      runtime: 'node',
      seed: scenario.id,
      windows: windows(at, 3, true),
      pods: replicaSet('ops-console', '3.8.1', '7d2c4e1', created, { stagger: 20 }),
      deployment: steadyDeployment(19),
      rps: officeHoursArrivals(scenario.id),
      routes: [
        steadyRoute('GET', '/admin/users', 0.45, 0.025),
        steadyRoute('GET', '/admin/audit-log', 0.3, 0.12, { sigma: 0.45 }),
        steadyRoute('POST', '/admin/users/:id/roles', 0.15, 0.04, { clientErrors: 0.06, clientErrorCode: 403 }),
        steadyRoute('GET', '/admin/users/:id', 0.1, 0.018, { clientErrors: 0.02 }),
      ],
      clients: [],
      dbOps: [],
      resources: baseResources('node', { cpuPerRequest: 0.01 }),
      limits: baseLimits('node'),
      appHttp: true,
      scrape: { style: 'pods', port: 3000 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// app-error (prom-client): a low-traffic internal tool whose renew action throws for one kind of licence.

function licenseDeskRenewError(): ScenarioDefinition {
  const at = sec('2026-10-08T11:20:00Z');
  const onset = sec('2026-10-08T11:06:00Z');
  const created = sec('2026-10-05T09:40:00Z');
  const scenario = scenarioOf(
    {
      id: 'app-error-low-traffic',
      service: 'license-desk',
      namespace: 'internal',
      convention: 'prom-client',
      cause: 'app-error',
      symptom: 'license-desk gives errors when renewing licences',
      description:
        'license-desk is an internal tool of the sales team (Node.js, prom-client, three replicas) with 0.1–0.6 ' +
        'requests per second in office hours. From 11:06 a data fix gave some contracts a null end date, and ' +
        'POST /licenses/:id/renew throws on them: ~55 % of renewals answer 500, a handful of requests a minute. ' +
        'No deploy, no restarts, resources low; the same window a day earlier has no 5xx.',
      extras: [],
      evidence: [
        'http_requests_total{route="/licenses/:id/renew",code="500"} ~55 % of that route (~10 % overall) from 11:06',
        'other routes clean; p99 unchanged; request rate 0.1–0.6/s as a day earlier',
        'no restarts, app_build_info and deployment generation unchanged; CPU and memory low',
      ],
    },
    at,
    onset,
    3,
    true,
  );
  return {
    scenario,
    build: () => ({
      service: 'license-desk',
      namespace: 'internal',
      runtime: 'node',
      seed: scenario.id,
      windows: windows(at, 3, true),
      pods: replicaSet('license-desk', '1.22.0', '4a9e0b3', created, { stagger: 25 }),
      deployment: steadyDeployment(27),
      rps: officeHoursArrivals(scenario.id),
      routes: [
        steadyRoute('GET', '/licenses', 0.5, 0.03),
        steadyRoute('GET', '/licenses/:id', 0.3, 0.015, { clientErrors: 0.02 }),
        {
          method: 'POST',
          route: '/licenses/:id/renew',
          weight: 0.2,
          outcomes: (ctx) =>
            withFailure(
              healthy(0.06, { ok: 200 }),
              { code: 500, median: 0.02, sigma: 0.4 },
              0.55 * ramp(ctx.t, onset, 60),
            ),
        },
      ],
      clients: [],
      dbOps: [],
      resources: baseResources('node', { cpuPerRequest: 0.01 }),
      limits: baseLimits('node'),
      appHttp: true,
      scrape: { style: 'pods', port: 3000 },
    }),
  };
}

export const DEFINITIONS: readonly ScenarioDefinition[] = [opsConsoleHealthy(), licenseDeskRenewError()];
