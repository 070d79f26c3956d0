import { readdirSync, readFileSync } from 'node:fs';

function postgresPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') pids.push(Number(entry));
    } catch {
      // Gone already.
    }
  }
  return pids;
}

/**
 * A counter of /proc that only grows, summed over some processes from the moment this is made:
 * the servers under test, and PostgreSQL's processes when the server stores there.
 */
class ProcessCounter {
  private readonly start: Map<number, number>;

  constructor(
    private readonly pids: readonly number[],
    private readonly postgres: boolean,
    /** The counter's value for one process now, 0 when it is gone. */
    private readonly value: (pid: number) => number,
  ) {
    this.start = this.read();
  }

  private read(): Map<number, number> {
    const pids = new Set([...this.pids, ...(this.postgres ? postgresPids() : [])]);
    return new Map([...pids].map((pid) => [pid, this.value(pid)]));
  }

  /** How much it grew since it was made (a process that started since counts from 0). */
  protected growth(): number {
    let total = 0;
    for (const [pid, now] of this.read()) total += Math.max(0, now - (this.start.get(pid) ?? 0));
    return total;
  }
}

function writeBytes(pid: number): number {
  try {
    return Number(/^write_bytes:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * Bytes some processes sent to the disk during a run (`write_bytes` of /proc/<pid>/io): for Errata
 * on SQLite its own writes (WAL, checkpoints), on PostgreSQL those of the PostgreSQL processes.
 */
export class DiskWrites extends ProcessCounter {
  constructor(pids: readonly number[], postgres: boolean) {
    super(pids, postgres, writeBytes);
  }

  /** Bytes written since the counter was made. */
  bytes(): number {
    return this.growth();
  }
}

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux/x86-64). */
const TICKS_PER_S = 100;

/** User and system time of every thread of a process, in clock ticks. */
function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/**
 * CPU time that some processes used during a run. Divided by the requests answered it gives the
 * cost of one request, which unlike req/s does not depend on how much of the two cores the load
 * generator took.
 */
export class ProcessCpu extends ProcessCounter {
  constructor(pids: readonly number[], postgres: boolean) {
    super(pids, postgres, cpuTicks);
  }

  /** Milliseconds of CPU since the counter was made (10 ms resolution per process). */
  ms(): number {
    return (this.growth() * 1000) / TICKS_PER_S;
  }
}
