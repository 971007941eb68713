import { readFile } from 'node:fs/promises';

/** Linux's USER_HZ: the unit of utime and stime in /proc/<pid>/stat (100 on every mainstream kernel). */
const TICKS_PER_S = 100;

/**
 * User + system CPU time, in µs, from the text of /proc/<pid>/stat (fields 14 and 15, counted after the command
 * name, which may hold spaces and parentheses). Undefined when the text does not have them.
 */
export function parseProcStatCpuUs(stat: string): number | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime field 15
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isInteger(utime) || !Number.isInteger(stime) || fields.length < 13) return undefined;
  return ((utime + stime) * 1_000_000) / TICKS_PER_S;
}

/** CPU time a process has used so far, in µs; undefined without /proc (not Linux) or once it has exited. */
export async function processCpuUs(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    return parseProcStatCpuUs(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}
