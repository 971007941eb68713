#!/usr/bin/env node
import { runCli } from './cli-run.js';

try {
  const mock = await runCli(process.argv.slice(2));
  const stop = () => void mock.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (err) {
  console.error(`deepseek-mock: ${(err as Error).message}`);
  process.exit(1);
}
