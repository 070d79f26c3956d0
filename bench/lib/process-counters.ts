import { readdirSync, readFileSync } from 'node:fs';

function writeBytes(pid: number): number {
  try {
    return Number(/^write_bytes:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

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
 * Bytes some processes sent to the disk during a run (`write_bytes` of /proc/<pid>/io): for Errata
 * on SQLite its own writes (WAL, checkpoints), on PostgreSQL those of the PostgreSQL processes.
 */
export class DiskWrites {
  private readonly start: Map<number, number>;

  constructor(
    private readonly pids: readonly number[],
    private readonly postgres: boolean,
  ) {
    this.start = this.read();
  }

  private read(): Map<number, number> {
    const pids = [...this.pids, ...(this.postgres ? postgresPids() : [])];
    return new Map(pids.map((pid) => [pid, writeBytes(pid)]));
  }

  /** Bytes written since the counter was made. */
  bytes(): number {
    let total = 0;
    for (const [pid, bytes] of this.read()) total += bytes - (this.start.get(pid) ?? 0);
    return Math.max(0, total);
  }
}
