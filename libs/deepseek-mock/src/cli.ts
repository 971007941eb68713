#!/usr/bin/env node
import { join } from 'node:path';
import { runCli } from './cli-run.js';

/** The bundled demo scenario, next to the compiled CLI (`dist/../scenarios`). */
const DEMO_SCENARIO = join(__dirname, '..', 'scenarios', 'demo.json');

runCli(process.argv.slice(2), DEMO_SCENARIO).then(
  (mock) => {
    const stop = () => {
      mock.close().then(
        () => process.exit(0),
        (err: unknown) => {
          console.error(`deepseek-mock: close failed: ${err instanceof Error ? err.message : String(err)}`);
          process.exit(1);
        },
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  },
  (err: unknown) => {
    console.error(`deepseek-mock: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
