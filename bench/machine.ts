import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';

export interface Machine {
  nproc: number;
  memoryGiB: number;
  cpuModel: string;
  node: string;
  date: string;
  /** 1-minute load average when the run started: other work on a shared machine skews timings. */
  loadAvg1m: number;
}

/** The machine a run measured, for docs/performance.md. */
export function describeMachine(now: Date): Machine {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) cpuModel = line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // Not Linux: os.cpus() is the best we have.
  }
  return {
    nproc: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    cpuModel,
    node: process.version,
    date: now.toISOString(),
    loadAvg1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}
