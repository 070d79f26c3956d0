import { readdirSync, readFileSync } from 'node:fs';

const PF_KTHREAD = 0x00200000;

interface Sample {
  readonly name: string;
  readonly jiffies: number;
  readonly ppid: number;
  readonly kernel: boolean;
}

function machineJiffies(): number {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] as string).trim().split(/\s+/).slice(1);
  // user nice system idle iowait irq softirq steal: all of them is the time that passed, on every core.
  return fields.slice(0, 8).reduce((sum, field) => sum + Number(field), 0);
}

function processes(): Map<number, Sample> {
  const all = new Map<number, Sample>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      all.set(Number(entry), {
        name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
        ppid: Number(fields[1]),
        kernel: (Number(fields[6]) & PF_KTHREAD) !== 0,
        jiffies: Number(fields[11]) + Number(fields[12]),
      });
    } catch {
      // Gone already.
    }
  }
  return all;
}

/**
 * How busy the machine was with other work during a run: other sessions' test suites share these
 * two cores and slow every figure down. Counts the CPU time of every user process except the
 * bench (and its parents), the servers under test and PostgreSQL, as a share of all cores' time,
 * so that a disturbed run can be told from a slow server. Kernel threads (network, disk) are left
 * out: mostly they serve the load itself.
 */
export class CpuMonitor {
  private readonly start = processes();
  private readonly startJiffies = machineJiffies();

  constructor(private readonly pids: readonly number[]) {}

  private ours(all: Map<number, Sample>): Set<number> {
    const ours = new Set<number>(this.pids);
    for (let pid = process.pid; pid > 1 && !ours.has(pid); pid = all.get(pid)?.ppid ?? 0) ours.add(pid);
    return ours;
  }

  /** Percent of all cores' time spent on other work since the monitor was made. */
  otherPercent(): number {
    const end = processes();
    const elapsed = machineJiffies() - this.startJiffies;
    if (elapsed <= 0) return 0;
    const ours = this.ours(end);
    let other = 0;
    for (const [pid, sample] of end) {
      if (ours.has(pid) || sample.kernel || sample.name === 'postgres') continue;
      const before = this.start.get(pid);
      other += sample.jiffies - (before && before.name === sample.name ? before.jiffies : 0);
    }
    return Math.max(0, Math.min(100, (100 * other) / elapsed));
  }
}
