import type { Database } from '../store/db.js';
import { databaseProbe, ProbeTimeout } from '../store/probe.js';
import { rawQueueState } from '../store/region/raw-queue.js';

/** One check of the readiness answer; `ok` false names why. */
export interface CheckResult {
  readonly ok: boolean;
  /** Why it failed, in words that hold no project data. */
  readonly error?: string;
  readonly [detail: string]: unknown;
}

export interface Readiness {
  readonly ready: boolean;
  /** The checks that failed, by name. */
  readonly failed: readonly string[];
  readonly checks: Readonly<Record<string, CheckResult>>;
}

export interface ReadinessOptions {
  /** The longest the database may take to answer (Config's `readyTimeoutMs`). */
  readonly timeoutMs: number;
  /** Digest is stuck when the oldest waiting envelope has been the oldest this long (Config's `readyDigestStuckSeconds`). */
  readonly digestStuckSeconds: number;
  readonly now: () => number;
}

/** The error of a failed database check, without host names or SQL. */
function describeFailure(error: unknown): string {
  if (error instanceof ProbeTimeout) return error.message;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? `the database did not answer (${code})` : 'the database did not answer';
}

/**
 * Answers whether this node can do its work: its databases answer a query within the timeout, and
 * digest is not stuck. Stuck means the oldest envelope waiting for digest is the same one it was
 * `digestStuckSeconds` ago, as seen by this checker across its calls: a long queue that digest is
 * working through is behind, not stuck. The first call sees a queue for the first time and cannot
 * call it stuck. Calls that overlap share one check, so many load balancers cost one query.
 */
export class ReadinessChecker {
  private readonly probe;
  private watched: { id: number; since: number } | null = null;
  private inFlight: Promise<Readiness> | null = null;
  private stopping = false;

  constructor(
    private readonly db: Database,
    private readonly options: ReadinessOptions,
  ) {
    this.probe = databaseProbe(db, options.timeoutMs);
  }

  /** From now on the node is unready: it is shutting down, and load balancers should send elsewhere. */
  stop(): void {
    this.stopping = true;
  }

  check(): Promise<Readiness> {
    if (this.stopping) {
      return Promise.resolve({
        ready: false,
        failed: ['shutdown'],
        checks: { shutdown: { ok: false, error: 'the node is shutting down' } },
      });
    }
    this.inFlight ??= this.run().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  close(): void {
    this.probe.close();
  }

  private async run(): Promise<Readiness> {
    const started = performance.now();
    const checks: Record<string, CheckResult> = {};
    try {
      await this.probe.check();
      checks.database = { ok: true, ms: Math.round(performance.now() - started) };
    } catch (error) {
      checks.database = { ok: false, error: describeFailure(error) };
      checks.digest = { ok: false, error: 'not checked: the database did not answer' };
      return { ready: false, failed: ['database'], checks };
    }
    checks.digest = await this.digest();
    const failed = Object.entries(checks)
      .filter(([, result]) => !result.ok)
      .map(([name]) => name);
    return { ready: failed.length === 0, failed, checks };
  }

  private async digest(): Promise<CheckResult> {
    let state: Awaited<ReturnType<typeof rawQueueState>>;
    try {
      state = await rawQueueState(this.db.region);
    } catch (error) {
      return { ok: false, error: `cannot read the digest queue: ${describeFailure(error)}` };
    }
    const now = this.options.now();
    if (state.oldest === null) {
      this.watched = null;
      return { ok: true, queued: 0 };
    }
    if (this.watched?.id !== state.oldest.id) this.watched = { id: state.oldest.id, since: now };
    const unmovedSeconds = Math.floor((now - this.watched.since) / 1000);
    const stuck = unmovedSeconds >= this.options.digestStuckSeconds;
    return {
      ok: !stuck,
      ...(stuck
        ? { error: `the oldest queued envelope has waited ${unmovedSeconds} s without digest moving` }
        : {}),
      queued: state.depth,
      oldestAgeSeconds: Math.max(0, Math.floor((now - state.oldest.receivedAt) / 1000)),
    };
  }
}
