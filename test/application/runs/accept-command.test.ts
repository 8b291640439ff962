import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NewCommand } from '../../../src/application/ports/run-store.js';
import { acceptCommand, withinBudget } from '../../../src/application/runs/accept-command.js';
import { parseSymptom } from '../../../src/domain/symptom/parse-symptom.js';

const T0 = new Date('2026-11-01T14:00:00Z');
const command: NewCommand = {
  id: 'run-1',
  channel: 'C1',
  userId: 'U1',
  teamId: 'T1',
  text: '502 on checkout',
  symptom: parseSymptom('502 on checkout', { now: T0 }),
  responseUrl: null,
  receivedAt: T0,
  owner: 'replica-a',
};

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('withinBudget', () => {
  it('says why not when the work takes longer than the budget', async () => {
    const answer = withinBudget(new Promise(() => undefined), 1500);
    await vi.advanceTimersByTimeAsync(1500);
    await expect(answer).resolves.toEqual({ ok: false, why: 'no answer within 1500 ms' });
  });

  it('says why the work failed', async () => {
    await expect(withinBudget(Promise.reject(new Error('disk I/O error')), 1500)).resolves.toEqual({
      ok: false,
      why: 'disk I/O error',
    });
  });
});

describe('acceptCommand', () => {
  it('records the command, then settles it after the record', async () => {
    const calls: string[] = [];
    const store = {
      acceptCommand: vi.fn(async () => {
        calls.push('accept');
        return {} as never;
      }),
      settleCommand: vi.fn(async (_id: string, status: string) => {
        calls.push(`settle ${status}`);
        return undefined;
      }),
    };
    const accepted = await acceptCommand(store, command);
    expect(accepted.recorded).toEqual({ ok: true });
    await accepted.settle('started');
    expect(calls).toEqual(['accept', 'settle started']);
    expect(store.settleCommand).toHaveBeenCalledWith('run-1', 'started');
  });

  it('goes on when the store hangs past the budget, and settles once the record lands', async () => {
    let land: (() => void) | undefined;
    const store = {
      acceptCommand: vi.fn(() => new Promise<never>((resolve) => (land = () => resolve(undefined as never)))),
      settleCommand: vi.fn(async () => undefined),
    };
    const pending = acceptCommand(store, command, 1500);
    await vi.advanceTimersByTimeAsync(1500);
    const accepted = await pending;
    expect(accepted.recorded.ok).toBe(false);
    const settled = accepted.settle('declined');
    await Promise.resolve();
    expect(store.settleCommand).not.toHaveBeenCalled();
    land?.();
    await settled;
    expect(store.settleCommand).toHaveBeenCalledWith('run-1', 'declined');
  });

  it('never rejects when settling fails', async () => {
    const store = {
      acceptCommand: vi.fn(() => Promise.reject(new Error('read-only'))),
      settleCommand: vi.fn(async () => undefined),
    };
    const accepted = await acceptCommand(store, command);
    expect(accepted.recorded).toEqual({ ok: false, why: 'read-only' });
    await expect(accepted.settle('started')).resolves.toBeUndefined();
    expect(store.settleCommand).not.toHaveBeenCalled();
  });
});
