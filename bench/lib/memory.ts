import { readFileSync } from 'node:fs';

/** A process's resident memory now and at its peak (VmRSS, VmHWM from /proc), in MiB. */
export interface Memory {
  readonly rssMb: number;
  readonly peakMb: number;
}

export function readMemory(pid: number): Memory | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/** Samples VmRSS of some processes every `intervalMs` and keeps each one's highest. */
export class RssSampler {
  private readonly peaks = new Map<number, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pids: readonly number[],
    intervalMs = 100,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  private sample(): void {
    for (const pid of this.pids) {
      const memory = readMemory(pid);
      if (memory) this.peaks.set(pid, Math.max(this.peaks.get(pid) ?? 0, memory.rssMb));
    }
  }

  /** Stops sampling; the highest RSS seen per process, in the order the pids were given (MiB). */
  stop(): number[] {
    clearInterval(this.timer);
    this.sample();
    return this.pids.map((pid) => this.peaks.get(pid) ?? 0);
  }
}
