import { execFileSync } from 'node:child_process';

/**
 * Pins every thread of process `pid` to `cpus` (a `taskset` CPU list such as "0" or "0,1"): threads the process
 * starts later inherit it. For measurements that ask where the processes of a run execute.
 */
export function pinProcess(pid: number, cpus: string): void {
  if (!/^\d+([,-]\d+)*$/.test(cpus)) throw new Error(`not a CPU list: "${cpus}"`);
  execFileSync('taskset', ['--all-tasks', '--pid', '--cpu-list', cpus, String(pid)], { stdio: 'ignore' });
}
