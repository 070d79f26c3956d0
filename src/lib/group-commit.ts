/**
 * Group commit: callers add items and wait; items that arrive while a write is in flight are
 * written together by the next one, so many concurrent requests share one transaction (and one
 * fsync). A failed write rejects every caller of that batch and nothing of it is acknowledged.
 *
 * @example
 * const writer = new GroupCommit((rows) => insertRows(db, rows), 500);
 * await writer.add(row); // resolves once the row is committed
 */
export class GroupCommit<T> {
  private pending: { item: T; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private writing = false;
  private scheduled = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly maxBatch = 500,
    private readonly afterCommit: (count: number) => void = () => {},
  ) {}

  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Items waiting for a write (for readiness and metrics). */
  get backlog(): number {
    return this.pending.length;
  }

  /** Resolves once everything added so far is written (or failed): nothing waits, nothing is being written. */
  idle(): Promise<void> {
    if (!this.writing && this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.writing || this.scheduled) return;
    this.scheduled = true;
    // Let every request that arrived in this turn of the event loop join the batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.writing || this.pending.length === 0) return;
    this.writing = true;
    const batch = this.pending.splice(0, this.maxBatch);
    try {
      await this.write(batch.map((p) => p.item));
      for (const p of batch) p.resolve();
      this.afterCommit(batch.length);
    } catch (error) {
      for (const p of batch) p.reject(error);
    } finally {
      this.writing = false;
      if (this.pending.length > 0) this.schedule();
      else for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }
}
