/** CPU use of running processes, from /proc/<pid>/stat (Linux). */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

/** USER_HZ: the unit of utime and stime on Linux. */
const TICKS_PER_SECOND = 100;

/** utime + stime of a process, in clock ticks. */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count from its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

export interface CpuWindows {
  /** Per process, its share of one core in each window, in %. */
  percent: Record<string, number[]>;
  /** The 1-minute load average at the start and at the end. */
  load: [number, number];
}

/** Samples each process's CPU over `count` windows of `windowMs`, one after the other. */
export async function cpuWindows(pids: Record<string, number>, count: number, windowMs: number): Promise<CpuWindows> {
  const percent: Record<string, number[]> = Object.fromEntries(Object.keys(pids).map((name) => [name, []]));
  const first = loadavg()[0] ?? 0;
  let before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuTicks(pid)]));
  let at = performance.now();
  for (let i = 0; i < count; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const now = performance.now();
    const after = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuTicks(pid)]));
    for (const name of Object.keys(pids)) percent[name]!.push((100 * ((after[name]! - before[name]!) / TICKS_PER_SECOND)) / ((now - at) / 1000));
    before = after;
    at = now;
  }
  return { percent, load: [first, loadavg()[0] ?? 0] };
}
