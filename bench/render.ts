import { parseArgs } from 'node:util';
import { discoverSuites } from './lib/discover.js';
import { renderOutputs } from './lib/output.js';
import { BENCH_DIR } from './lib/paths.js';

// Re-renders RESULTS.md from an existing results.json (e.g. after editing bench/FINDINGS.md): `node
// bench/dist/render.js [--dir bench]`.
const { values } = parseArgs({ options: { dir: { type: 'string', default: BENCH_DIR } } });
const { suites } = await discoverSuites();
await renderOutputs(values.dir, suites);
process.stderr.write(`[bench] rendered ${values.dir}/RESULTS.md\n`);
