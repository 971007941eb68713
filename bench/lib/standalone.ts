import { fileURLToPath } from 'node:url';
import type { ProfileName } from './suite.js';

/**
 * Lets a suite module run on its own: when `moduleUrl` is the script node was started with
 * (`node bench/dist/<suite>.bench.js [smoke|quick|full]`), runs `run` and prints its result as JSON.
 */
export function runWhenMain<R>(
  moduleUrl: string,
  run: (profile: ProfileName, log: (line: string) => void) => Promise<R>,
): void {
  if (process.argv[1] !== fileURLToPath(moduleUrl)) return;
  const profile = (process.argv[2] ?? 'quick') as ProfileName;
  run(profile, (line) => process.stderr.write(`${line}\n`)).then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
