/**
 * CPU per answer and req/s of several builds of the sample gateway side by side: each build in its own process over
 * one 50 ms mock, autocannon with `--connections` for `--seconds` per build, interleaved rounds (the machine's drift
 * hits every build alike). List a build twice for an A/A control: their difference is the noise.
 *
 *   node bench/dist/throughput/gateway-builds.js [--rounds 3] [--seconds 8] [--connections 128] [--warmup 16] \
 *     28200ec 28200ec current
 *
 * Each build is loaded for `--warmup` seconds before the rounds: a fresh gateway spends more CPU per answer in its
 * first seconds of load (with a 2 s warm-up, round 1 took 1.5 to 1.6 times round 6 for each of 4 builds), so rounds
 * after a short warm-up compare warming builds.
 *
 * A git revision is checked out once under bench/.runs/gateway-builds/<commit> (git worktree, npm ci, npm run build;
 * minutes the first time); `current` is this checkout as built now. A build may carry node flags and environment
 * variables after commas: flags go after the gateway's own (a flag given twice: the last wins), variables to its
 * environment. `current,--max-semi-space-size=64` or `current,GATEWAY_REQUEST_LOG=off` measures what a setting costs.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { MockScenario } from 'nestjs-deepseek-pool-mock';
import { stopAll } from '../lib/children.js';
import { startMock } from '../lib/mock-service.js';
import { GATEWAY_BUILDS_DIR, gatewayCheckout } from '../lib/gateway-checkout.js';
import { repoPath } from '../lib/paths.js';
import { median } from '../lib/median.js';
import { processCpuUs } from '../lib/process-cpu.js';
import { processPeakRssMiB } from '../lib/process-rss.js';
import { loadStep } from './load.js';
import { type RunningSystem, gatewayAt } from './systems.js';

const LATENCY_SCENARIO = 'libs/deepseek-mock/scenarios/latency-50ms.json';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '8' },
    connections: { type: 'string', default: '128' },
    warmup: { type: 'string', default: '16' },
  },
});
if (positionals.length === 0) throw new Error('name the builds: git revisions, or current');

const scenario = JSON.parse(await readFile(repoPath(LATENCY_SCENARIO), 'utf8')) as MockScenario;
const keys = scenario.keys.map((key) => key.key);
const latencyMs = scenario.defaults?.latencyMs ?? 0;
const connections = Number(values.connections);
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const builds = positionals.map((spec) => {
  const [ref = spec, ...extras] = spec.split(',');
  const nodeArgs = extras.filter((extra) => extra.startsWith('-'));
  const settings = Object.fromEntries(
    extras
      .filter((extra) => !extra.startsWith('-'))
      .map((extra) => [extra.split('=')[0], extra.slice(extra.indexOf('=') + 1)]),
  );
  return { dir: gatewayCheckout(ref), nodeArgs, settings };
});
const mock = await startMock(repoPath(LATENCY_SCENARIO));
try {
  const running: RunningSystem[] = [];
  for (const [index, { dir, nodeArgs, settings }] of builds.entries()) {
    const runDir = join(GATEWAY_BUILDS_DIR, 'runs', String(index));
    await mkdir(runDir, { recursive: true });
    const system = await gatewayAt(dir, undefined, undefined, settings).start(mock, keys, runDir, nodeArgs);
    await loadStep(system.url, system.headers, connections, Number(values.warmup), latencyMs);
    running.push(system);
  }
  const figures = positionals.map((ref) => ({ ref, reqPerS: [] as number[], cpuUs: [] as number[] }));
  for (let round = 1; round <= rounds; round++) {
    for (const [index, system] of running.entries()) {
      const pid = system.child?.process.pid;
      const before = await processCpuUs(pid);
      const step = await loadStep(system.url, system.headers, connections, seconds, latencyMs);
      const after = await processCpuUs(pid);
      if (before === undefined || after === undefined) throw new Error('cannot read the CPU time from /proc');
      const errors = step.errors.connection + step.errors.timeouts + step.errors.non2xx;
      const cpuUs = Math.round((after - before) / Math.max(step.answered, 1));
      figures[index]?.reqPerS.push(step.reqPerS);
      figures[index]?.cpuUs.push(cpuUs);
      console.log(
        `round ${round} ${positionals[index]}: ${step.reqPerS} req/s, p99 ${step.latencyMs.p99} ms, ${cpuUs} CPU µs per answer, ${errors} errors`,
      );
    }
  }
  console.log(`\nmedians over ${rounds} rounds, ${connections} connections, ${seconds} s each; peak RSS:`);
  for (const [index, { ref, reqPerS, cpuUs }] of figures.entries()) {
    const peakMiB = await processPeakRssMiB(running[index]?.child?.process.pid);
    console.log(
      `  ${ref.padEnd(40)} ${Math.round(median(reqPerS))} req/s, ${Math.round(median(cpuUs))} CPU µs per answer, ${peakMiB === undefined ? '?' : Math.round(peakMiB)} MiB`,
    );
  }
} finally {
  await stopAll();
  await mock.child.stop();
}
