import type { FastifyBaseLogger } from 'fastify';
import { type MonitorFailureKind, nextRun, recordMonitorFailure } from '../digest/monitor-incidents.js';
import { generateEventId } from '../protocol/event-id.js';
import { type BackgroundWrites, backgroundWrites } from '../store/background-writes.js';
import type { Database } from '../store/db.js';
import { claimTimeout, listTimedOutCheckIns, recordCheckIn } from '../store/region/check-ins.js';
import {
  claimMissedRun,
  findMonitorById,
  findMonitorEnvironmentById,
  listOverdueEnvironments,
  type MonitorEnvironment,
} from '../store/region/monitors.js';

export interface CronClockOptions {
  /** The time the clock goes by (the service context's: tests move it). */
  readonly now: () => number;
  /** How often it looks for missed and timed-out runs. */
  readonly pollMs: number;
  readonly log: Pick<FastifyBaseLogger, 'warn'>;
  /** The most runs of each kind one tick marks; the next tick takes the rest. */
  readonly batchSize?: number;
}

/** What one tick marked. */
export interface ClockTick {
  readonly missed: number;
  readonly timeouts: number;
}

/**
 * The cron clock: marks each run that did not check in by its expected time plus margin as
 * missed, and each run in progress past its maximum runtime as timed out, and counts both as
 * failures of the monitor environment (which may open its issue). Every node runs one; each mark
 * is a conditional update that only one of them wins, so a run is marked once however many race.
 */
export class CronClock {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private readonly writes: BackgroundWrites;

  constructor(
    private readonly db: Database,
    private readonly options: CronClockOptions,
  ) {
    this.writes = backgroundWrites(db);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.tick()
        .catch((error: unknown) =>
          this.options.log.warn({ err: error }, 'cron clock failed; trying again later'),
        )
        .finally(() => {
          this.running = null;
        });
    }, this.options.pollMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    await this.writes.close();
  }

  /** Marks what is due now: timeouts first, then missed runs. */
  async tick(): Promise<ClockTick> {
    const timeouts = await this.markTimeouts();
    const missed = await this.markMissed();
    return { missed, timeouts };
  }

  private get limit() {
    return this.options.batchSize ?? 100;
  }

  private async markTimeouts(): Promise<number> {
    const now = this.options.now();
    const due = await listTimedOutCheckIns(this.db.region, now, this.limit);
    let marked = 0;
    for (const checkIn of due) {
      const won = await this.writes.run((db) =>
        db.transaction().execute(async (trx) => {
          if (!(await claimTimeout(trx, checkIn.id, now))) return false;
          await this.fail(trx, checkIn.monitorEnvironmentId, 'timeout', now);
          return true;
        }),
      );
      if (won) marked++;
    }
    return marked;
  }

  private async markMissed(): Promise<number> {
    const now = this.options.now();
    const overdue = await listOverdueEnvironments(this.db.region, now, this.limit);
    let marked = 0;
    for (const environment of overdue) {
      if (await this.markMissedRun(environment, now)) marked++;
    }
    return marked;
  }

  private async markMissedRun(environment: MonitorEnvironment, now: number): Promise<boolean> {
    const expected = environment.nextCheckIn;
    if (expected === null) return false;
    const monitor = await findMonitorById(this.db.region, environment.monitorId);
    if (!monitor) return false;
    let next = nextRun(monitor, expected);
    // After a long pause (the server was down) the runs since are one missed mark, not one each.
    if (next.nextCheckInLatest <= now) next = nextRun(monitor, now);
    return this.writes.run((db) =>
      db.transaction().execute(async (trx) => {
        if (!(await claimMissedRun(trx, environment.id, expected, next))) return false;
        await recordCheckIn(
          trx,
          {
            projectId: monitor.projectId,
            monitorEnvironmentId: environment.id,
            checkInId: generateEventId(),
            monitorSlug: monitor.slug,
            status: 'missed',
            duration: null,
            environment: environment.environment,
            dateCreated: expected,
            expectedTime: expected,
            timeoutAt: null,
            data: {},
          },
          now,
        );
        await this.fail(trx, environment.id, 'missed', now);
        return true;
      }),
    );
  }

  private async fail(
    trx: Parameters<Parameters<BackgroundWrites['run']>[0]>[0],
    environmentId: number,
    kind: MonitorFailureKind,
    now: number,
  ): Promise<void> {
    const environment = await findMonitorEnvironmentById(trx, environmentId);
    const monitor = environment && (await findMonitorById(trx, environment.monitorId));
    if (!environment || !monitor) return;
    await recordMonitorFailure(trx, this.db.engine, monitor, environment, kind, now);
  }
}
