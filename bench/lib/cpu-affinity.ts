import { execFileSync } from 'node:child_process';
import type { MockService } from './mock-service.js';

/**
 * Pins every thread of process `pid` to `cpus` (a `taskset` CPU list such as "0" or "0,1"): threads the process
 * starts later inherit it. For measurements that ask where the processes of a run execute.
 */
function pinProcess(pid: number, cpus: string): void {
  if (!/^\d+([,-]\d+)*$/.test(cpus)) throw new Error(`not a CPU list: "${cpus}"`);
  execFileSync('taskset', ['--all-tasks', '--pid', '--cpu-list', cpus, String(pid)], { stdio: 'ignore' });
}

/**
 * A `--cpus <client>/<mock>` option (`0/1`: each on a core of its own, `0/0`: both on one core), checked before
 * anything starts: undefined when the option was not given (the scheduler places the processes).
 */
export function parseClientMockCpus(spec: string | undefined): { client: string; mock: string } | undefined {
  if (spec === undefined) return undefined;
  const [, client, mock] = /^([^/]+)\/([^/]+)$/.exec(spec) ?? [];
  if (!client || !mock) throw new Error('--cpus takes <client>/<mock>, e.g. 0/1');
  return { client, mock };
}

/** Pins this process (the clients) and the mock's to the CPU lists of `cpus`. */
export function pinClientAndMock(cpus: { client: string; mock: string }, mock: MockService): void {
  const mockPid = mock.child.process.pid;
  if (mockPid === undefined) throw new Error('the mock has no process id');
  pinProcess(process.pid, cpus.client);
  pinProcess(mockPid, cpus.mock);
}

/** A fixed loop of integer arithmetic, timed in ms: one CPU's speed at the moment, against the other's. */
const FIXED_LOOP =
  'const t=process.hrtime.bigint();let x=0;for(let i=0;i<1e8;i++)x+=i%7;' +
  'process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6)+" "+(x&1))';

/** The fixed loop's time (ms) in a process of its own pinned to `cpu`: a shared VM's vCPUs differ from hour to hour. */
export function fixedLoopMs(cpu: string): number {
  const out = execFileSync('taskset', ['--cpu-list', cpu, process.execPath, '-e', FIXED_LOOP], { encoding: 'utf8' });
  return Number(out.split(' ')[0]);
}
