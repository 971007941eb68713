import { readFile } from 'node:fs/promises';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { join } from 'node:path';
import { REPO_DIR } from './paths.js';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  /** 1-minute load average when the run started and ended (other work on the machine skews figures). */
  loadAverage: { start: number; end?: number };
}

export function machineInfo(): MachineInfo {
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${type()} ${release()}`,
    node: process.version,
    loadAverage: { start: oneMinuteLoad() },
  };
}

export function oneMinuteLoad(): number {
  return Math.round(loadavg()[0]! * 100) / 100;
}

/** The checked-out commit, read from .git (HEAD, then the loose ref or packed-refs); 'unknown' outside a clone. */
export async function gitCommit(): Promise<string> {
  const gitDir = join(REPO_DIR, '.git');
  try {
    const head = (await readFile(join(gitDir, 'HEAD'), 'utf8')).trim();
    if (!head.startsWith('ref: ')) return head;
    const ref = head.slice('ref: '.length);
    const loose = await readFile(join(gitDir, ref), 'utf8').catch(() => undefined);
    if (loose) return loose.trim();
    const packed = await readFile(join(gitDir, 'packed-refs'), 'utf8');
    return packed.split('\n').find((line) => line.endsWith(` ${ref}`))?.split(' ')[0] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
