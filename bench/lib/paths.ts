import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** bench/dist (where this compiled file's folder lives). */
export const DIST_DIR = fileURLToPath(new URL('..', import.meta.url));
/** bench/ */
export const BENCH_DIR = join(DIST_DIR, '..');
/** The repository root. */
export const REPO_DIR = join(BENCH_DIR, '..');
/** Scratch space of the runs (git-ignored): generated configs, CPU profiles, smoke output. */
export const RUNS_DIR = join(BENCH_DIR, '.runs');

/** A repository file by its path from the root. */
export function repoPath(relative: string): string {
  return join(REPO_DIR, relative);
}

/** The compiled form of a bench module, by its path under bench/ without extension (e.g. `overhead/worker`). */
export function distModule(relative: string): string {
  return join(DIST_DIR, `${relative}.js`);
}
