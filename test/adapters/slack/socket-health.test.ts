import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/adapters/log/json-logger.js';
import { SocketHealth } from '../../../src/adapters/slack/socket-health.js';
import { Readiness } from '../../../src/app/readiness.js';

/** A Socket Mode client as far as its events go, with the clock the health reads. */
function setup(boundMs = 1000) {
  let now = 0;
  const readiness = new Readiness();
  const client = Object.assign(new EventEmitter(), { websocket: undefined as { isActive(): boolean } | undefined });
  const health = new SocketHealth({ readiness, logger: silentLogger, now: () => now, livenessBoundMs: boundMs });
  health.watch(client);
  return {
    readiness,
    client,
    health,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const answer = (status: number, body: unknown) => async () =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('SocketHealth', () => {
  it('is not ready until hello, and again from a disconnect frame or a closed socket until the next hello', () => {
    const { readiness, client } = setup();
    expect(readiness.why()).toEqual(['socket: Socket Mode is not connected to Slack yet']);
    client.emit('connecting');
    client.emit('connected');
    expect(readiness.ready).toBe(true);
    client.emit('ws_message', JSON.stringify({ type: 'disconnect', reason: 'warning' }), false);
    expect(readiness.why()).toEqual(['socket: Slack asked Triage to reconnect (warning); reconnecting']);
    client.emit('connected');
    client.emit('close');
    expect(readiness.why()).toEqual(['socket: the Socket Mode connection to Slack closed; reconnecting']);
    client.emit('connected');
    expect(readiness.ready).toBe(true);
  });

  it('ignores the late close of a socket already replaced by an open one, and frames that are not disconnects', () => {
    const { readiness, client } = setup();
    client.emit('connected');
    client.emit('ws_message', JSON.stringify({ envelope_id: 'e1', type: 'events_api', payload: { disconnect: 1 } }));
    client.websocket = { isActive: () => true };
    client.emit('close');
    expect(readiness.ready).toBe(true);
  });

  it('fails liveness only once the socket has been down longer than the bound, counting from the first try', () => {
    const { client, health, advance } = setup(1000);
    advance(5000);
    expect(health.liveness().ok).toBe(true);
    client.emit('connecting');
    advance(1000);
    expect(health.liveness()).toEqual({ ok: true, downMs: 1000 });
    advance(1);
    expect(health.liveness()).toMatchObject({ ok: false, downMs: 1001 });
    client.emit('connected');
    expect(health.liveness()).toEqual({ ok: true, downMs: 0 });
    client.emit('close');
    advance(2000);
    expect(health.liveness().reason).toBe('no Socket Mode connection to Slack for 2 s');
    client.emit('disconnecting');
    expect(health.liveness().ok).toBe(true);
  });

  it('reports failed apps.connections.open answers and records a refusal waiting will not change', async () => {
    const { readiness, health } = setup();
    const refused: string[] = [];
    health.onRejected((code) => refused.push(code));
    const open = 'http://slack.test/api/apps.connections.open';
    await health.observeFetch(answer(503, {}))(open);
    expect(readiness.why()).toEqual([
      'socket: cannot open a Socket Mode connection: apps.connections.open answered HTTP 503; retrying',
    ]);
    await health.observeFetch(answer(200, { ok: false, error: 'ratelimited' }))(open);
    expect(health.rejected).toBeUndefined();
    const res = await health.observeFetch(answer(200, { ok: false, error: 'missing_scope' }))(open);
    // The client still reads the answer itself.
    expect(await res.json()).toEqual({ ok: false, error: 'missing_scope' });
    expect(health.rejected).toBe('missing_scope');
    expect(refused).toEqual(['missing_scope']);
    await health.observeFetch(answer(200, { ok: false, error: 'invalid_auth' }))(
      'http://slack.test/api/chat.postMessage',
    );
    expect(health.rejected).toBe('missing_scope');
  });
});
