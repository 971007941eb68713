import { readFile, readdir } from 'node:fs/promises';

/**
 * CPU time (ns) a thread has run so far, from the text of /proc/<pid>/task/<tid>/schedstat (its first field; the
 * scheduler's own count, in ns, where /proc/<pid>/stat counts 10 ms ticks). Undefined when the text does not have it.
 */
export function parseSchedstatNs(schedstat: string): number | undefined {
  const field = schedstat.split(' ')[0].trim();
  const ns = Number(field);
  return field !== '' && Number.isSafeInteger(ns) && ns >= 0 ? ns : undefined;
}

/** CPU time of one thread so far, ns; 0 once it has exited (its time leaves the sum). */
async function threadCpuNs(pid: number, tid: string): Promise<number | undefined> {
  try {
    return parseSchedstatNs(await readFile(`/proc/${pid}/task/${tid}/schedstat`, 'utf8'));
  } catch {
    return 0;
  }
}

/**
 * CPU time every live thread of a process has used so far, in µs (ns resolution); undefined without /proc (not
 * Linux), once the process has exited, or when a thread's schedstat cannot be read. A thread that exits between two
 * readings takes its time out of the second: measure intervals of long-lived threads (a Node process's are).
 */
export async function processCpuUs(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  let tids: string[];
  try {
    tids = await readdir(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  const times = await Promise.all(tids.map((tid) => threadCpuNs(pid, tid)));
  let ns = 0;
  for (const time of times) {
    if (time === undefined) return undefined;
    ns += time;
  }
  return ns / 1e3;
}
