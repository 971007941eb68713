import { readFile } from 'node:fs/promises';

/**
 * A process's peak resident set so far in MiB (`VmHWM` of /proc/<pid>/status); undefined without /proc or once the
 * process has exited.
 */
export async function processPeakRssMiB(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const kib = /^VmHWM:\s+(\d+) kB$/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib === undefined ? undefined : Number(kib) / 1024;
  } catch {
    return undefined;
  }
}
