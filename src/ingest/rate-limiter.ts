/** The answer to "may this request count against a limit?". */
export interface RateDecision {
  readonly allowed: boolean;
  /** Seconds until the current window ends (what Retry-After says when refused). */
  readonly retryAfterSeconds: number;
}

/**
 * Fixed-window counters: `limit` hits per `windowSeconds` for each bucket. Shared implementations
 * (database or Redis) let several nodes agree; this one counts in this process's memory.
 */
export interface RateLimiter {
  hit(bucket: string, limit: number, windowSeconds: number, now: number): Promise<RateDecision>;
}

/** Counts in memory: right for a single node (the embedded SQLite deployment). */
export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  async hit(bucket: string, limit: number, windowSeconds: number, now: number): Promise<RateDecision> {
    const windowMs = windowSeconds * 1000;
    const start = Math.floor(now / windowMs) * windowMs;
    const key = `${bucket}:${windowSeconds}`;
    let current = this.windows.get(key);
    if (!current || current.start !== start) {
      if (this.windows.size > 100_000) this.windows.clear();
      current = { start, count: 0 };
      this.windows.set(key, current);
    }
    const retryAfterSeconds = Math.max(1, Math.ceil((start + windowMs - now) / 1000));
    if (current.count >= limit) return { allowed: false, retryAfterSeconds };
    current.count++;
    return { allowed: true, retryAfterSeconds };
  }
}

/**
 * Counts in the database, so that every node of a deployment on one PostgreSQL agrees: one upsert
 * per counted request, and only for keys or projects that have a limit.
 */
export class DatabaseRateLimiter implements RateLimiter {
  constructor(private readonly increment: (bucket: string, windowStart: number) => Promise<number>) {}

  async hit(bucket: string, limit: number, windowSeconds: number, now: number): Promise<RateDecision> {
    const windowMs = windowSeconds * 1000;
    const start = Math.floor(now / windowMs) * windowMs;
    const retryAfterSeconds = Math.max(1, Math.ceil((start + windowMs - now) / 1000));
    if (limit <= 0) return { allowed: false, retryAfterSeconds };
    const count = await this.increment(`${bucket}:${windowSeconds}`, start);
    return { allowed: count <= limit, retryAfterSeconds };
  }
}
