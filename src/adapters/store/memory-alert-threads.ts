import type { AlertThread, AlertThreadStore, ClaimKey, ClaimResult } from '../../application/ports/alert-threads.js';

/**
 * Alert threads in process memory, bounded: the oldest threads are forgotten first past `maxThreads`. Claims are
 * atomic within one process; replicas share a database store instead.
 */
export class MemoryAlertThreadStore implements AlertThreadStore {
  private readonly threads = new Map<string, AlertThread>();
  private readonly keys = new Map<string, string>();
  private readonly maxThreads: number;

  constructor(maxThreads = 10_000) {
    this.maxThreads = maxThreads;
  }

  async claim(keys: readonly ClaimKey[], thread: AlertThread): Promise<ClaimResult> {
    for (const { key, since } of keys) {
      const holder = this.holderOf(key);
      if (holder && holder.openedAt.getTime() >= since.getTime()) return { holder: { ...holder }, matched: key };
    }
    this.threads.set(thread.id, { ...thread, firing: [...thread.firing] });
    for (const { key } of keys) this.keys.set(key, thread.id);
    this.evict();
    return { holder: null };
  }

  async find(keys: readonly string[], since?: Date): Promise<AlertThread | undefined> {
    for (const key of keys) {
      const holder = this.holderOf(key);
      if (holder && (!since || holder.openedAt.getTime() >= since.getTime())) return { ...holder };
    }
    return undefined;
  }

  async bind(keys: readonly string[], threadId: string): Promise<void> {
    if (!this.threads.has(threadId)) return;
    for (const key of keys) this.keys.set(key, threadId);
  }

  async update(threadId: string, patch: Partial<Omit<AlertThread, 'id'>>): Promise<AlertThread | undefined> {
    const current = this.threads.get(threadId);
    if (!current) return undefined;
    const next = { ...current, ...patch, id: threadId };
    this.threads.set(threadId, next);
    return { ...next };
  }

  async release(threadId: string): Promise<void> {
    this.threads.delete(threadId);
    for (const [key, id] of this.keys) if (id === threadId) this.keys.delete(key);
  }

  /** Threads held (for tests and metrics). */
  size(): number {
    return this.threads.size;
  }

  private holderOf(key: string): AlertThread | undefined {
    const id = this.keys.get(key);
    return id === undefined ? undefined : this.threads.get(id);
  }

  private evict(): void {
    if (this.threads.size <= this.maxThreads) return;
    const excess = this.threads.size - this.maxThreads;
    const oldest = [...this.threads.values()].sort((a, b) => a.openedAt.getTime() - b.openedAt.getTime());
    const gone = new Set(oldest.slice(0, excess).map((t) => t.id));
    for (const id of gone) this.threads.delete(id);
    for (const [key, id] of this.keys) if (gone.has(id)) this.keys.delete(key);
  }
}
