import type { DatabaseTarget } from '../store/db.js';
import type { RawEnvelope } from '../store/region/raw-queue.js';

/** What the writer thread is started with. */
export interface WriterThreadData {
  /** The database it opens its own connection to: a SQLite file or PostgreSQL. */
  readonly target: DatabaseTarget;
  readonly digestBatchSize: number;
  /** Digest transactions at once (PostgreSQL; SQLite has one writer: 1). */
  readonly digestConcurrency: number;
  readonly digestPollMs: number;
  /** The region's base URL (Config's `url`), for the issue links of alert notifications. */
  readonly baseUrl: string;
  /** Bytes of parsed source maps its digest keeps; the digest worker's default when absent. */
  readonly sourceMapCacheBytes?: number;
  /** Raw envelopes committed together at most. */
  readonly maxWriteBatch: number;
  /** Whether to report query times ('queries' messages): only when the process keeps metrics. */
  readonly reportQueries: boolean;
}

/** Messages to the thread. Each `id` is answered once. */
export type ToThread =
  | { readonly t: 'add'; readonly id: number; readonly envelope: RawEnvelope }
  | { readonly t: 'start' }
  | { readonly t: 'notify' }
  | { readonly t: 'drain'; readonly id: number }
  | { readonly t: 'stop'; readonly id: number }
  | { readonly t: 'close'; readonly id: number };

/** An error as it crosses the thread boundary: what `isDatabaseUnavailable` and the log need. */
export interface ThreadError {
  readonly message: string;
  readonly code?: string;
  readonly stack?: string;
}

/** Messages from the thread. */
export type FromThread =
  | { readonly t: 'ready' }
  | { readonly t: 'committed'; readonly ids: readonly number[] }
  | { readonly t: 'failed'; readonly ids: readonly number[]; readonly error: ThreadError }
  | { readonly t: 'done'; readonly id: number; readonly error?: ThreadError }
  | { readonly t: 'digested'; readonly total: number }
  /** Query times in milliseconds since the last report, by outcome. */
  | { readonly t: 'queries'; readonly ok: readonly number[]; readonly error: readonly number[] }
  | {
      readonly t: 'log';
      readonly level: 'error' | 'warn';
      readonly msg: string;
      readonly error?: ThreadError;
    };

export function toThreadError(error: unknown): ThreadError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      message: error.message,
      ...(typeof code === 'string' ? { code } : {}),
      ...(error.stack ? { stack: error.stack } : {}),
    };
  }
  return { message: String(error) };
}

/** The error again, on this side, with its code (so a busy or broken database still answers 503). */
export function fromThreadError(error: ThreadError): Error {
  const result = new Error(error.message) as Error & { code?: string };
  if (error.code !== undefined) result.code = error.code;
  if (error.stack !== undefined) result.stack = error.stack;
  return result;
}
