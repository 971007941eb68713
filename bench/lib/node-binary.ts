import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The major version of the node running the bench. */
export const RUNNER_NODE_MAJOR = Number(process.versions.node.split('.')[0]);

/**
 * A node binary of release line `major`: the bench's own when it is of that line, else the one `npx` fetches from the
 * npm registry's `node` package (cached after the first call).
 */
export async function nodeBinary(major: number): Promise<{ path: string; version: string }> {
  if (major === RUNNER_NODE_MAJOR) return { path: process.execPath, version: process.versions.node };
  const { stdout } = await run('npx', ['-y', `node@${major}`, '-p', 'process.execPath + " " + process.versions.node'], {
    timeout: 300_000,
  });
  const [path, version] = stdout.trim().split(' ');
  return { path, version };
}
