import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { type BackgroundWrites, backgroundWrites } from '../store/background-writes.js';
import type { Database } from '../store/db.js';
import { EVENT_USER_SEEN_SLACK_MS } from '../store/region/event-users.js';
import { claimJobLease, releaseJobLease } from '../store/region/job-leases.js';
import {
  type DeletedEvents,
  deleteEventsById,
  deleteExpiredRows,
  deleteIssuesWithoutEvents,
  EXPIRING_LOGS,
  EXPIRING_ROWS,
  type ExpiringRows,
  findCapCutoff,
  findEventIdsBefore,
  findIssuesLastSeenBefore,
  findIssueUsersWithEvents,
  listProjectIdsForRetention,
  removeIssueUsers,
} from '../store/region/retention.js';
import { checkpointSqlite, countFreeSqlitePages, freeSqlitePages } from '../store/sqlite-space.js';

const DAY_MS = 86_400_000;
const LEASE = 'retention';

export interface RetentionOptions {
  /** Days that events and what belongs to them are kept (Config's `retentionDays`). */
  readonly retentionDays: number;
  /** Stored events a project keeps at most, oldest deleted first; 0 for no cap. */
  readonly maxEventsPerProject: number;
  /**
   * Days that log records are kept (Config's `logRetentionDays`), never past `retentionDays`;
   * unset, logs go with everything else.
   */
  readonly logRetentionDays?: number;
  /** The time the job goes by (the service context's: tests move it). */
  readonly now: () => number;
  readonly log: Pick<FastifyBaseLogger, 'warn' | 'info'>;
  /** How often a pass runs; default hourly. The first runs this long after `start`. */
  readonly everyMs?: number;
  /**
   * Rows per delete transaction: on SQLite each one holds the one write lock that ingest's
   * commits wait for, so it stays small (200 events, a few milliseconds); PostgreSQL, 1,000.
   */
  readonly batchSize?: number;
  /**
   * The least pause between two batches, so that ingest and digest get the SQLite lock and the
   * HTTP thread in between; a batch that took longer is followed by a pause as long as it took.
   */
  readonly pauseMs?: number;
  /** How long a node's claim on the job lasts unless renewed (it is renewed as the pass goes). */
  readonly leaseMs?: number;
  /** Free SQLite pages given back to the file system per transaction (4 KiB each). */
  readonly vacuumPages?: number;
}

/** What one pass did; `ran` is false when another node held the job. */
export interface RetentionReport {
  readonly ran: boolean;
  readonly events: number;
  readonly issues: number;
  /** Rows of other kinds: spans, logs, attachments, check-ins, sessions, outcomes, users, envelopes. */
  readonly rows: number;
  /** SQLite pages given back to the file system. */
  readonly freedPages: number;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Retention: once an hour, deletes what is older than the retention period (and, with a cap, each
 * project's oldest events beyond it) in small batches, takes deleted events off their issues'
 * counts, deletes issues left without events, and on SQLite gives the freed pages back to the file
 * system. Every node runs one; a lease row lets one of them work at a time.
 */
export class RetentionJob {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopping = false;
  private readonly writes: BackgroundWrites;
  private readonly holder = randomUUID();
  /** When this node last took or renewed the lease (the job's clock). */
  private renewedAt = Number.NEGATIVE_INFINITY;
  /** When the last pause between batches ended (performance.now()). */
  private resumedAt = 0;

  constructor(
    private readonly db: Database,
    private readonly options: RetentionOptions,
  ) {
    this.writes = backgroundWrites(db, { redoable: true });
  }

  private get batchSize(): number {
    return this.options.batchSize ?? (this.db.engine === 'postgres' ? 1000 : 200);
  }

  private get pauseMs(): number {
    return this.options.pauseMs ?? (this.db.engine === 'postgres' ? 0 : 5);
  }

  private get leaseMs(): number {
    return this.options.leaseMs ?? 10 * 60_000;
  }

  /** Logs keep a period of their own (Sentry's is shorter than its events'), within the events'. */
  private logCutoff(cutoff: number): number {
    const days = this.options.logRetentionDays;
    return days === undefined ? cutoff : Math.max(cutoff, this.options.now() - days * DAY_MS);
  }

  start(): void {
    if (this.timer) return;
    this.stopping = false;
    this.timer = setInterval(
      () => {
        if (this.running) return;
        this.running = this.run()
          .then((report) => {
            if (report.events + report.issues + report.rows > 0)
              this.options.log.info({ retention: report }, 'retention deleted expired data');
          })
          .catch((error: unknown) =>
            this.options.log.warn({ err: error }, 'retention failed; trying again later'),
          )
          .finally(() => {
            this.running = null;
          });
      },
      this.options.everyMs ?? 60 * 60_000,
    );
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.stopping = true;
    await this.running;
    await this.writes.close();
  }

  /** One pass: everything expired now, unless another node holds the job. */
  async run(): Promise<RetentionReport> {
    this.renewedAt = Number.NEGATIVE_INFINITY;
    this.resumedAt = performance.now();
    if (!(await this.renewLease())) return { ran: false, events: 0, issues: 0, rows: 0, freedPages: 0 };
    try {
      const cutoff = this.options.now() - this.options.retentionDays * DAY_MS;
      const totals = { events: 0, issues: 0, rows: 0 };
      for (const projectId of await listProjectIdsForRetention(this.db.region)) {
        if (this.stopping) break;
        const done = await this.cleanProject(projectId, cutoff);
        totals.events += done.events;
        totals.issues += done.issues;
        totals.rows += done.rows;
      }
      for (const kind of EXPIRING_ROWS.filter((k) => !k.perProject))
        totals.rows += await this.deleteRows(kind, cutoff);
      // Last seen is kept to the day: a user seen within the slack may still have an event.
      totals.rows += await this.deleteRows(
        { table: 'event_users', column: 'last_seen', perProject: false },
        cutoff - EVENT_USER_SEEN_SLACK_MS,
      );
      const freedPages = totals.events + totals.issues + totals.rows > 0 ? await this.giveSpaceBack() : 0;
      return { ran: true, ...totals, freedPages };
    } finally {
      await this.writes.run((db) => releaseJobLease(db, LEASE, this.holder)).catch(() => {});
    }
  }

  private async renewLease(): Promise<boolean> {
    const now = this.options.now();
    const won = await this.writes.run((db) => claimJobLease(db, LEASE, this.holder, now, now + this.leaseMs));
    if (won) this.renewedAt = now;
    return won;
  }

  /**
   * Between two batches: lets ingest in, renews the lease once a quarter of it has passed (not
   * every batch: each renewal is a commit of its own), and stops early when told to.
   */
  private async between(): Promise<boolean> {
    if (this.stopping) return false;
    // Retention takes at most about half of the time: a batch's pause is as long as the batch.
    const worked = performance.now() - this.resumedAt;
    if (this.pauseMs > 0) await pause(Math.max(this.pauseMs, Math.min(worked, 1000)));
    this.resumedAt = performance.now();
    if (this.options.now() - this.renewedAt < this.leaseMs / 4) return true;
    if (!(await this.renewLease())) throw new Error('another node took the retention lease over');
    return true;
  }

  private async cleanProject(
    projectId: number,
    cutoff: number,
  ): Promise<{ events: number; issues: number; rows: number }> {
    const users = new Map<number, Set<string>>();
    let events = 0;
    let issues = 0;
    const deleteBefore = async (before: number) => {
      for (;;) {
        const ids = await findEventIdsBefore(this.db.region, projectId, before, this.batchSize);
        if (ids.length === 0) return;
        const done: DeletedEvents = await this.writes.run((db) =>
          db.transaction().execute((trx) => deleteEventsById(trx, ids)),
        );
        events += done.events;
        issues += done.issuesDeleted;
        for (const [issueId, keys] of done.usersOfIssues) {
          const known = users.get(issueId);
          if (known) for (const key of keys) known.add(key);
          else users.set(issueId, new Set(keys));
        }
        if (ids.length < this.batchSize || !(await this.between())) return;
      }
    };
    await deleteBefore(cutoff);
    if (this.options.maxEventsPerProject > 0) {
      const capCutoff = await findCapCutoff(this.db.region, projectId, this.options.maxEventsPerProject);
      if (capCutoff !== null) await deleteBefore(capCutoff);
    }
    await this.uncountUsers(users);
    issues += await this.deleteStaleIssues(projectId, cutoff);
    let rows = 0;
    for (const kind of EXPIRING_ROWS.filter((k) => k.perProject))
      rows += await this.deleteRows(kind, cutoff, projectId);
    rows += await this.deleteRows(EXPIRING_LOGS, this.logCutoff(cutoff), projectId);
    return { events, issues, rows };
  }

  /**
   * Takes users whose events in an issue all went off the issue. Whether one has an event left
   * is read outside the write: it reads the issue's events, which may be many.
   */
  private async uncountUsers(users: ReadonlyMap<number, ReadonlySet<string>>): Promise<void> {
    for (const [issueId, keys] of users) {
      if (this.stopping) return;
      const candidates = [...keys];
      const kept = await findIssueUsersWithEvents(this.db.region, issueId, candidates);
      const gone = candidates.filter((key) => !kept.has(key));
      if (gone.length === 0) continue;
      await this.writes.run((db) => db.transaction().execute((trx) => removeIssueUsers(trx, issueId, gone)));
    }
  }

  /** Issues last seen before the cutoff have no event left in retention: those without any go. */
  private async deleteStaleIssues(projectId: number, cutoff: number): Promise<number> {
    let deleted = 0;
    let after: { id: number; lastSeen: number } | null = null;
    for (;;) {
      const page = await findIssuesLastSeenBefore(this.db.region, projectId, cutoff, after, this.batchSize);
      if (page.length === 0) return deleted;
      const ids = page.map((issue) => issue.id);
      deleted += (
        await this.writes.run((db) => db.transaction().execute((trx) => deleteIssuesWithoutEvents(trx, ids)))
      ).length;
      after = page.at(-1) ?? null;
      if (page.length < this.batchSize || !(await this.between())) return deleted;
    }
  }

  private async deleteRows(kind: ExpiringRows, before: number, projectId?: number): Promise<number> {
    let deleted = 0;
    for (;;) {
      const n = await this.writes.run((db) =>
        deleteExpiredRows(db, this.db.engine, kind, before, this.batchSize, projectId),
      );
      deleted += n;
      if (n < this.batchSize || !(await this.between())) return deleted;
    }
  }

  /** SQLite: gives the pages the pass freed back to the file system, a few MB per transaction. */
  private async giveSpaceBack(): Promise<number> {
    if (this.db.engine !== 'sqlite') return 0;
    const step = this.options.vacuumPages ?? 1024;
    const before = (await this.writes.runSqlite(countFreeSqlitePages)) ?? 0;
    let left = before;
    while (left > 0) {
      const now = await this.writes.runSqlite((sqlite) => freeSqlitePages(sqlite, step));
      if (now === null || now >= left) break;
      left = now;
      if (!(await this.between())) break;
    }
    await this.writes.runSqlite(checkpointSqlite);
    return before - left;
  }
}
