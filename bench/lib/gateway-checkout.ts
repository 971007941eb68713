import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_DIR, RUNS_DIR } from './paths.js';

/** Where git revisions of the repository are checked out and built to be compared (gateway-builds, metrics-cost). */
export const GATEWAY_BUILDS_DIR = join(RUNS_DIR, 'gateway-builds');

/**
 * The checkout of `ref`: this one for `current`, else a built worktree of its commit (git worktree, npm ci, npm run
 * build; minutes the first time).
 */
export function gatewayCheckout(ref: string): string {
  if (ref === 'current') return REPO_DIR;
  const commit = execFileSync('git', ['rev-parse', '--short', `${ref}^{commit}`], { cwd: REPO_DIR })
    .toString()
    .trim();
  const dir = join(GATEWAY_BUILDS_DIR, commit);
  if (existsSync(join(dir, 'apps/gateway/dist/main.js'))) return dir;
  console.log(`${ref}: checking out ${commit} in ${dir}, npm ci, npm run build`);
  execFileSync('git', ['worktree', 'add', '--force', '--detach', dir, commit], { cwd: REPO_DIR, stdio: 'inherit' });
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
  execFileSync('npm', ['run', 'build'], { cwd: dir, stdio: 'inherit' });
  return dir;
}
