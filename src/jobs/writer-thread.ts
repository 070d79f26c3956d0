import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { FastifyBaseLogger } from 'fastify';
import type { DatabaseTarget } from '../store/db.js';
import type { RawEnvelope, RawWriter } from '../store/region/raw-queue.js';
import { STORE_UNAVAILABLE } from '../store/unavailable.js';
import type { DigestRunner } from './digest-worker.js';
import {
  type FromThread,
  fromThreadError,
  type ToThread,
  type WriterThreadData,
} from './writer-thread-messages.js';

export interface WriterThreadOptions {
  /** A SQLite file or PostgreSQL: the thread opens its own connection with it. */
  readonly target: DatabaseTarget;
  readonly digestBatchSize: number;
  readonly digestConcurrency: number;
  readonly digestPollMs: number;
  /** The region's base URL (Config's `url`), for the issue links of alert notifications. */
  readonly baseUrl: string;
  /** Bytes of parsed source maps its digest keeps; the digest worker's default when absent. */
  readonly sourceMapCacheBytes?: number;
  readonly maxWriteBatch?: number;
  readonly log: Pick<FastifyBaseLogger, 'error' | 'warn'>;
  /** Whether raw envelopes wait for digest (read on this thread's own connection). */
  readonly pendingWork: () => Promise<boolean>;
  /** Called when the thread has digested more (at most every 50 ms): its commits may hold notifications. */
  readonly onDigested?: () => void;
  /** The thread's query times in milliseconds, reported every 50 ms while it queries. */
  readonly onQueries?: (ok: readonly number[], error: readonly number[]) => void;
}

/**
 * The writer thread's heap starts with this much old generation (MB): V8 starts it at a few MB,
 * which the envelopes waiting a few scavenges for their digest fill again and again, each time
 * with a full mark-compact.
 */
export const WRITER_INITIAL_OLD_SPACE_MB = 64;

/** Starts writer-thread-entry.ts: the built .js file, or the .ts source through tsx (tests, `npm run dev`). */
function spawn(data: WriterThreadData): Worker {
  // V8 reads this flag when it creates a heap: this thread's, which exists already, keeps its size,
  // and the writer thread's (and a restarted one's) gets it. Worker's resourceLimits have no such
  // setting, and its execArgv takes no V8 flags.
  v8.setFlagsFromString(`--initial-old-space-size=${WRITER_INITIAL_OLD_SPACE_MB}`);
  const here = import.meta.url;
  // A young generation of 16 MB: V8's default grows to 48 under this allocation rate, which only
  // raises the peak RSS. Only the young generation: a cap on the old one would end the thread on a
  // large envelope.
  const options = { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: 16 } };
  if (!here.endsWith('.ts')) return new Worker(new URL('./writer-thread-entry.js', here), options);
  const entry = new URL('./writer-thread-entry.ts', here).href;
  const tsx = pathToFileURL(
    path.join(path.dirname(createRequire(here).resolve('tsx/package.json')), 'dist/esm/api/index.mjs'),
  ).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { ...options, eval: true });
}

/** An error for requests the thread can no longer answer: the store is unavailable, so ingest answers 503. */
function threadGone(reason: string): Error {
  return Object.assign(new Error(`the writer thread stopped: ${reason}`), { code: STORE_UNAVAILABLE });
}

/**
 * This thread's side of the writer thread, the pipeline of a server process: its `writer` resolves
 * once the raw envelope is committed there, and its `digest` forwards to the digest worker running
 * there. A thread that dies fails what it held (503 to those clients, who retry) and is started
 * again.
 */
export class WriterThread {
  /** Null until there is work: an idle server that never ingested runs no thread (idle RSS). */
  private worker: Worker | null = null;
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  private closed = false;
  private started = false;
  /** False from the thread's exit until its replacement runs. */
  private alive = false;
  private digested = 0;

  readonly writer: RawWriter = { add: (envelope) => this.add(envelope) };
  readonly digest: DigestRunner;

  constructor(private readonly options: WriterThreadOptions) {
    const self = this;
    this.digest = {
      start: () => this.start(),
      stop: () => this.stop(),
      notify: () => this.notify(),
      drain: () => this.drain(),
      get digested() {
        return self.digested;
      },
    };
  }

  /** Whether the thread runs (it starts with the first envelope, or with envelopes left to digest). */
  get running(): boolean {
    return this.worker !== null;
  }

  /** Starts the thread the first time it is needed; false while it is being started again. */
  private ensure(): boolean {
    if (this.closed) return false;
    if (this.worker === null) {
      this.worker = this.spawnWorker();
      this.alive = true;
      if (this.started) this.post({ t: 'start' });
    }
    return this.alive;
  }

  private spawnWorker(): Worker {
    const worker = spawn({
      target: this.options.target,
      digestBatchSize: this.options.digestBatchSize,
      digestConcurrency: this.options.digestConcurrency,
      digestPollMs: this.options.digestPollMs,
      baseUrl: this.options.baseUrl,
      ...(this.options.sourceMapCacheBytes === undefined
        ? {}
        : { sourceMapCacheBytes: this.options.sourceMapCacheBytes }),
      maxWriteBatch: this.options.maxWriteBatch ?? 500,
      reportQueries: this.options.onQueries !== undefined,
    });
    worker.on('message', (message: FromThread) => this.receive(message));
    worker.on('error', (error) => this.options.log.error({ err: error }, 'writer thread failed'));
    worker.on('exit', (code) => {
      if (worker !== this.worker) return;
      this.alive = false;
      this.failAll(threadGone(`exit code ${code}`));
      if (this.closed) return;
      // Started again after a pause, so that a thread that cannot open the database does not spin.
      setTimeout(() => {
        if (this.closed) return;
        this.worker = this.spawnWorker();
        this.alive = true;
        if (this.started) this.post({ t: 'start' });
      }, 1000).unref();
    });
    return worker;
  }

  private receive(message: FromThread): void {
    switch (message.t) {
      case 'committed':
        for (const id of message.ids) this.settle(id);
        return;
      case 'failed': {
        const error = fromThreadError(message.error);
        for (const id of message.ids) this.settle(id, error);
        return;
      }
      case 'done':
        this.settle(message.id, message.error ? fromThreadError(message.error) : undefined);
        return;
      case 'digested':
        this.digested = message.total;
        this.options.onDigested?.();
        return;
      case 'queries':
        this.options.onQueries?.(message.ok, message.error);
        return;
      case 'log':
        this.options.log[message.level](
          message.error ? { err: fromThreadError(message.error) } : {},
          message.msg,
        );
        return;
      case 'ready':
        return;
    }
  }

  private settle(id: number, error?: Error): void {
    const waiter = this.waiting.get(id);
    if (!waiter) return;
    this.waiting.delete(id);
    if (error) waiter.reject(error);
    else waiter.resolve();
  }

  private failAll(error: Error): void {
    const waiters = [...this.waiting.values()];
    this.waiting.clear();
    for (const waiter of waiters) waiter.reject(error);
  }

  private post(message: ToThread): void {
    this.worker?.postMessage(message);
  }

  private call(make: (id: number) => ToThread): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (!this.alive) return Promise.reject(threadGone('restarting'));
    const id = ++this.nextId;
    return new Promise<void>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.post(make(id));
    });
  }

  /** Resolves once the raw envelope is committed (on disk); rejects when it is not. */
  private add(envelope: RawEnvelope): Promise<void> {
    if (this.closed) return Promise.reject(threadGone('closed'));
    if (!this.ensure()) return Promise.reject(threadGone('restarting'));
    return this.call((id) => ({ t: 'add', id, envelope }));
  }

  /** Digests as work comes; envelopes left from before a restart start the thread now. */
  private start(): void {
    this.started = true;
    if (this.worker) {
      if (this.alive) this.post({ t: 'start' });
      return;
    }
    void this.options.pendingWork().then(
      (pending) => {
        if (pending) this.ensure();
      },
      (error: unknown) => this.options.log.warn({ err: error }, 'cannot look for envelopes left to digest'),
    );
  }

  private notify(): void {
    if (!this.closed && this.alive) this.post({ t: 'notify' });
  }

  private async drain(): Promise<void> {
    if (this.worker === null && !(await this.options.pendingWork())) return;
    this.ensure();
    return this.call((id) => ({ t: 'drain', id }));
  }

  private stop(): Promise<void> {
    this.started = false;
    if (this.worker === null || !this.alive) return Promise.resolve();
    return this.call((id) => ({ t: 'stop', id }));
  }

  /** Commits what it holds, stops digest, closes the connection and ends the thread. */
  async close(): Promise<void> {
    if (this.closed) return;
    const worker = this.worker;
    const done = worker && this.alive ? this.call((id) => ({ t: 'close', id })) : Promise.resolve();
    this.closed = true;
    try {
      await done;
    } finally {
      await worker?.terminate();
    }
  }
}
