import { readFile } from 'node:fs/promises';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { join, resolve } from 'node:path';
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
  return Math.round(loadavg()[0] * 100) / 100;
}

/**
 * The checked-out commit, read from .git (HEAD, then the loose ref or packed-refs); in a worktree `.git` is a file
 * naming its own git dir (HEAD there, refs in the common dir). 'unknown' outside a clone.
 */
export async function gitCommit(): Promise<string> {
  try {
    const { gitDir, commonDir } = await gitDirs(join(REPO_DIR, '.git'));
    const head = (await readFile(join(gitDir, 'HEAD'), 'utf8')).trim();
    if (!head.startsWith('ref: ')) return head;
    const ref = head.slice('ref: '.length);
    const loose = await readFile(join(commonDir, ref), 'utf8').catch(() => undefined);
    if (loose) return loose.trim();
    const packed = await readFile(join(commonDir, 'packed-refs'), 'utf8');
    return (
      packed
        .split('\n')
        .find((line) => line.endsWith(` ${ref}`))
        ?.split(' ')[0] ?? 'unknown'
    );
  } catch {
    return 'unknown';
  }
}

/** A clone's .git directory, or a worktree's (`gitdir: <path>` in a .git file) with the common dir its refs live in. */
async function gitDirs(dotGit: string): Promise<{ gitDir: string; commonDir: string }> {
  const pointer = await readFile(dotGit, 'utf8').catch(() => undefined);
  if (pointer === undefined || !pointer.startsWith('gitdir: ')) return { gitDir: dotGit, commonDir: dotGit };
  const gitDir = resolve(REPO_DIR, pointer.slice('gitdir: '.length).trim());
  const common = await readFile(join(gitDir, 'commondir'), 'utf8').catch(() => '.');
  return { gitDir, commonDir: resolve(gitDir, common.trim()) };
}
