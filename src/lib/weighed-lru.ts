/**
 * A least-recently-used map whose entries each weigh some bytes: once their total passes the
 * budget, the entries read longest ago are dropped. An entry heavier than the whole budget is not
 * kept at all.
 *
 * @example
 * const cache = new WeighedLru<number, string>(1024);
 * cache.set(1, 'text', 8);
 * cache.get(1); // 'text', now the most recently used
 */
export class WeighedLru<K, V> {
  // A Map iterates in insertion order: deleting and setting again moves an entry to the end.
  private readonly entries = new Map<K, { readonly value: V; readonly bytes: number }>();
  private total = 0;

  constructor(readonly budgetBytes: number) {}

  /** Bytes held now. */
  get bytes(): number {
    return this.total;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  set(key: K, value: V, bytes: number): void {
    this.delete(key);
    if (bytes > this.budgetBytes) return;
    this.entries.set(key, { value, bytes });
    this.total += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.total <= this.budgetBytes) break;
      this.entries.delete(oldest);
      this.total -= entry.bytes;
    }
  }

  delete(key: K): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.total -= entry.bytes;
  }
}
