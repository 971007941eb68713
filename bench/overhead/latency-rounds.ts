/**
 * Latency rounds of any overhead variants, as the overhead suite measures its targets (interleaved rounds in one
 * process, a seeded random order each round): each variant's p50 over all calls and the median of its rounds' p50
 * minus the first variant's in the same round, divided by it, with a 95 % rank interval. List the first variant twice
 * for an A/A control; add or leave out a client to see what sharing the process with it does to the others.
 * `--first-concurrency N` first runs the same variants at that concurrency in the same process (100 rounds x 1,000
 * calls, new clients), as the suite's worker runs its concurrency-1 rounds before those at 64. `--cpus <client>/<mock>`
 * pins this process (the clients) and the mock to CPU lists (`taskset`; `0/1`: a core each); without it the scheduler
 * places them, as in the suite. Pinned, it times a fixed loop on each CPU before and after the rounds (a shared VM's
 * vCPUs are not equal at every hour); either way it prints the CPU this process and the mock used over the rounds, as
 * a share of one CPU: the one near 100 % is the bottleneck that the calls in flight queue for.
 *
 *   node bench/dist/overhead/latency-rounds.js [--concurrency 64] [--rounds 200] [--calls 1500] \
 *     [--first-concurrency 1] [--cpus 0/1] undici undici-aa pool pool-no-hedging [openai]
 */
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { MockScenario } from 'nestjs-deepseek-pool-mock';
import { stopAll } from '../lib/children.js';
import { fixedLoopMs, parseClientMockCpus, pinClientAndMock } from '../lib/cpu-affinity.js';
import { median, medianInterval } from '../lib/median.js';
import { startMock } from '../lib/mock-service.js';
import { processCpuUs } from '../lib/process-cpu.js';
import { repoPath } from '../lib/paths.js';
import { type RoundPlan, interleave } from './rounds.js';
import { pairedAdded } from './targets.js';
import { type Target, VARIANTS, type VariantName } from './variants.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    concurrency: { type: 'string', default: '64' },
    rounds: { type: 'string', default: '200' },
    calls: { type: 'string', default: '1500' },
    'first-concurrency': { type: 'string' },
    cpus: { type: 'string' },
  },
});
const names = positionals as VariantName[];
if (names.length < 2) throw new Error('name at least two variants: the first is the one the others are compared with');

/** One phase: new clients of `names`, interleaved rounds, then each one's figures. */
async function phase(target: Target, plan: RoundPlan, mockPid: number | undefined): Promise<void> {
  const variants = names.map((name) => VARIANTS[name](target));
  const busy = await busyShares(mockPid, () => interleave(variants, plan));
  const result = busy.result;
  await Promise.all(variants.map((variant) => variant.close()));
  console.log(
    `p50 µs, concurrency ${plan.concurrency}, ${plan.rounds} rounds x ${plan.perRound} calls, ${placement}; ` +
      `CPU busy over the rounds: this process ${busy.client}, the mock ${busy.mock}; ` +
      `the rounds' p50 minus ${names[0]}'s in the same round, divided by it: median [95 % interval]`,
  );
  for (const name of names) {
    const summary = result[name];
    const shares = pairedAdded({ latencyUs: result }, name, 'p50', true, names[0]) ?? [];
    const differences = shares.map((share) => share * 100);
    const interval = medianInterval(differences);
    const range = interval ? `[${interval[0].toFixed(1)}, ${interval[1].toFixed(1)}]` : '';
    const hedges = summary.hedges === undefined ? '' : `   ${summary.hedges} hedges`;
    console.log(
      `  ${name.padEnd(32)} ${summary.p50.toFixed(1).padStart(9)}   ${median(differences).toFixed(1).padStart(6)} % ${range}${hedges}`,
    );
  }
}

/** Runs `work`, with the CPU time this process and the mock's used over it: percent of one CPU over the wall time. */
async function busyShares<T>(
  mockPid: number | undefined,
  work: () => Promise<T>,
): Promise<{ result: T; client: string; mock: string }> {
  const startedMs = performance.now();
  const before = [await processCpuUs(process.pid), await processCpuUs(mockPid)];
  const result = await work();
  const after = [await processCpuUs(process.pid), await processCpuUs(mockPid)];
  const wallUs = (performance.now() - startedMs) * 1e3;
  const share = (index: number): string => {
    const [from, to] = [before[index], after[index]];
    return from === undefined || to === undefined ? 'n/a' : `${(((to - from) / wallUs) * 100).toFixed(0)} %`;
  };
  return { result, client: share(0), mock: share(1) };
}

/** The fixed loop's time on the client's CPU and on the mock's, before and after the rounds. */
function coreSpeeds(cpus: { client: string; mock: string }): string {
  return `a fixed loop: ${fixedLoopMs(cpus.client).toFixed(0)} ms on the client's CPU, ${fixedLoopMs(cpus.mock).toFixed(0)} ms on the mock's`;
}

const scenarioFile = repoPath('libs/deepseek-mock/scenarios/fast.json');
const scenario = JSON.parse(await readFile(scenarioFile, 'utf8')) as MockScenario;
const cpus = parseClientMockCpus(values.cpus);
const placement = cpus ? `client on CPU ${cpus.client}, mock on CPU ${cpus.mock}` : 'placed by the scheduler';
const mock = await startMock(scenarioFile);
try {
  if (cpus) {
    pinClientAndMock(cpus, mock);
    console.log(coreSpeeds(cpus));
  }
  const target = { url: mock.url, keys: scenario.keys.map((key) => key.key) };
  const mockPid = mock.child.process.pid;
  const firstConcurrency = values['first-concurrency'];
  if (firstConcurrency !== undefined)
    await phase(
      target,
      { concurrency: Number(firstConcurrency), rounds: 100, perRound: 1_000, warmupRounds: 2 },
      mockPid,
    );
  await phase(
    target,
    {
      concurrency: Number(values.concurrency),
      rounds: Number(values.rounds),
      perRound: Number(values.calls),
      warmupRounds: 2,
    },
    mockPid,
  );
  if (cpus) console.log(coreSpeeds(cpus));
} finally {
  await stopAll();
}
