/**
 * Lets waiting work go one piece per turn of the event loop (each in the loop's check phase, after the sockets that
 * were ready have been read). A burst of 20 slash commands is acknowledged first; the runs they asked for start
 * after, one a turn, so a command that arrives while runs are starting is read between two starts, not after all.
 */
export class TurnQueue {
  private readonly waiting: (() => void)[] = [];
  private scheduled = false;

  /** Resolves on a later turn of the loop, once every earlier waiter has had its turn. */
  next(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.waiting.push(resolve);
      this.schedule();
    });
  }

  /** Waiters not released yet. */
  get size(): number {
    return this.waiting.length;
  }

  private schedule(): void {
    if (this.scheduled || this.waiting.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.waiting.shift()?.();
      this.schedule();
    });
  }
}
