import { describe, expect, it, vi } from 'vitest';
import type { StoredRun } from '../../../src/application/ports/run-store.js';
import { dedupeKeyOf, TwinClaims, type TwinDeps } from '../../../src/application/runs/twins.js';
import { parseSymptom } from '../../../src/domain/symptom/parse-symptom.js';

const T0 = new Date('2026-11-01T14:00:00Z');
const checkout = parseSymptom('502 on checkout since 13:30', { now: T0 });
const silent = { warn: () => undefined };

function claims(overrides: Partial<TwinDeps> = {}) {
  const store = {
    claimKey: vi.fn(async () => true),
    releaseKey: vi.fn(async () => undefined),
    listRuns: vi.fn(async (): Promise<StoredRun[]> => []),
  };
  const twins = new TwinClaims({
    store,
    replica: 'replica-a',
    claimMs: 60_000,
    running: () => undefined,
    logger: silent,
    ...overrides,
  });
  return { twins, store };
}

describe('dedupeKeyOf', () => {
  it('gives the same key to the same service and window a minute apart', () => {
    const later = parseSymptom('502 on checkout since 13:30', { now: new Date(T0.getTime() + 60_000) });
    expect(dedupeKeyOf(later)).toBe(dedupeKeyOf(checkout));
  });

  it('gives no key to a symptom without a service', () => {
    expect(dedupeKeyOf({ ...checkout, service: null } as never)).toBeNull();
  });
});

describe('TwinClaims', () => {
  it('finds this process’s running twin at once, with its thread, without asking the store', () => {
    const { twins, store } = claims({ running: () => ({ channel: 'C1', rootTs: '1.2' }) });
    expect(twins.reserve('T1', checkout)).toEqual({ twin: true, thread: { channel: 'C1', rootTs: '1.2' } });
    expect(store.claimKey).not.toHaveBeenCalled();
  });

  it('refuses a second reservation of the same key until the first one ends', () => {
    const { twins } = claims();
    const first = twins.reserve('T1', checkout);
    expect(first.twin).toBe(false);
    expect(twins.reserve('T1', checkout)).toEqual({ twin: true });
    expect(twins.reserve('T2', checkout).twin).toBe(false);
    if (!first.twin) first.end();
    expect(twins.reserve('T1', checkout).twin).toBe(false);
  });

  it('claims the key in the store for the workspace and gives it back', async () => {
    const { twins, store } = claims();
    const reservation = twins.reserve('T1', checkout);
    if (reservation.twin) throw new Error('no reservation');
    await expect(reservation.claim('C1')).resolves.toEqual({ ok: true });
    const key = `twin:T1:${dedupeKeyOf(checkout)}`;
    expect(store.claimKey).toHaveBeenCalledWith(key, 'replica-a', 60_000);
    await reservation.releaseClaim();
    expect(store.releaseKey).toHaveBeenCalledWith(key);
    reservation.end();
    expect(twins.held).toBe(0);
  });

  it('points at the other replica’s thread when it holds the key', async () => {
    const { twins, store } = claims();
    store.claimKey.mockResolvedValue(false);
    store.listRuns.mockResolvedValue([
      { symptom: parseSymptom('latency on payments', { now: T0 }), channel: 'C1', rootTs: '0.1' },
      { symptom: checkout, channel: 'C1', rootTs: '9.9' },
    ] as StoredRun[]);
    const reservation = twins.reserve('T1', checkout);
    if (reservation.twin) throw new Error('no reservation');
    await expect(reservation.claim('C1')).resolves.toEqual({ ok: false, thread: { channel: 'C1', rootTs: '9.9' } });
    expect(store.listRuns).toHaveBeenCalledWith({ channel: 'C1', status: 'running', limit: 50 });
  });

  it('lets the run through when the store cannot answer (fail open)', async () => {
    const warn = vi.fn();
    const { twins, store } = claims({ logger: { warn } });
    store.claimKey.mockRejectedValue(new Error('connection refused'));
    const reservation = twins.reserve('T1', checkout);
    if (reservation.twin) throw new Error('no reservation');
    await expect(reservation.claim('C1')).resolves.toEqual({ ok: true });
    expect(warn).toHaveBeenCalledOnce();
  });

  it('never calls a symptom without a service a twin', async () => {
    const { twins, store } = claims({ running: () => ({ channel: 'C1', rootTs: '1.2' }) });
    const unnamed = { ...checkout, service: null } as never;
    const reservation = twins.reserve('T1', unnamed);
    expect(reservation.twin).toBe(false);
    if (!reservation.twin) await expect(reservation.claim('C1')).resolves.toEqual({ ok: true });
    expect(store.claimKey).not.toHaveBeenCalled();
  });
});
