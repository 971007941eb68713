/**
 * CPU time per call of overhead variants (`process.cpuUsage` of this process, user + system, or user only with
 * `--user`), and per request of the mock, which runs in its own process (every thread's CPU time from
 * `/proc/<pid>/task/<tid>/schedstat`, Linux only). Less sensitive to other jobs than wall-clock latency, not immune: on
 * a loaded 2-core host an A/A pair still differs by 10-20%. Interleaved rounds; prints the median and minimum µs/call,
 * the median of each round's difference from the first variant's (pairing cancels most of the drift between rounds;
 * list the first variant twice under two names for an A/A control), and the pool's hedges and who won their races,
 * with its hedges per round in the third of rounds where the first variant took the least CPU and in the third where it
 * took the most (how busy the machine was then); with `pool-no-hedging` listed, the CPU each hedge sent cost (the
 * paired difference over it, divided by the hedges per call; `pool-forced-hedges` sends enough to resolve it), and how
 * its hedges bunch in time (bursts: each hedge within 20 ms of the one before), how many bursts followed a connection
 * opened, and the due hedges not sent, by reason; for every variant, the connections undici opened in its rounds.
 *
 *   node bench/dist/overhead/cpu-per-call.js [--concurrency 1] [--calls 2000] [--rounds 9] [--user] \
 *     undici undici-aa transport pool-1key pool pool-no-yield pool-no-hedging stub-direct pool-stub ...
 */
import { subscribe } from 'node:diagnostics_channel';
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { MockScenario } from 'nestjs-deepseek-pool-mock';
import { stopAll } from '../lib/children.js';
import { startMock } from '../lib/mock-service.js';
import { processCpuUs } from '../lib/process-cpu.js';
import { repoPath } from '../lib/paths.js';
import { describeHedges } from './hedge-bursts.js';
import { VARIANTS, type Variant, type VariantName } from './variants.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    concurrency: { type: 'string', default: '1' },
    calls: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '9' },
    /** User time only: leaves out the kernel's loopback work (most of a send), which varies with the machine's load. */
    user: { type: 'boolean', default: false },
  },
});
const concurrency = Number(values.concurrency);
const calls = Number(values.calls);
const rounds = Number(values.rounds);
const userOnly = values.user;
const names = (positionals.length > 0 ? positionals : ['undici', 'undici-aa', 'pool']) as VariantName[];

let mockPid = 0;
/** When undici (the pool's transport and the direct client alike) opened each connection, performance.now() ms. */
const connectedAtMs: number[] = [];
subscribe('undici:client:connected', () => connectedAtMs.push(performance.now()));

/** The mock's CPU time so far, µs (every thread's, from schedstat). */
async function mockCpuUs(): Promise<number> {
  const us = await processCpuUs(mockPid);
  if (us === undefined) throw new Error(`cannot read the CPU time of the mock (pid ${mockPid}) from /proc`);
  return us;
}

async function round(variant: Variant): Promise<[number, number]> {
  let remaining = calls;
  const lane = async (): Promise<void> => {
    while (remaining > 0) {
      remaining -= 1;
      await variant.call();
    }
  };
  const mockBefore = await mockCpuUs();
  const before = process.cpuUsage();
  await Promise.all(Array.from({ length: Math.min(concurrency, calls) }, lane));
  const used = process.cpuUsage(before);
  const mockUsed = (await mockCpuUs()) - mockBefore;
  return [(userOnly ? used.user : used.user + used.system) / calls, mockUsed / calls];
}

const scenarioFile = repoPath('libs/deepseek-mock/scenarios/fast.json');
const scenario = JSON.parse(await readFile(scenarioFile, 'utf8')) as MockScenario;
const mock = await startMock(scenarioFile);
mockPid = mock.child.process.pid ?? 0;
try {
  const keys = scenario.keys.map((key) => key.key);
  const variants = names.map((name) => VARIANTS[name]({ url: mock.url, keys }));
  const samples = variants.map((): number[] => []);
  const mockSamples = variants.map((): number[] => []);
  const hedgeSamples = variants.map((): number[] => []);
  const connections = variants.map(() => 0);
  for (let r = -1; r < rounds; r++)
    for (let i = 0; i < variants.length; i++) {
      const index = (Math.max(r, 0) + i) % variants.length;
      const hedgesBefore = variants[index].hedges?.() ?? 0;
      const connectedBefore = connectedAtMs.length;
      const [us, mockUs] = await round(variants[index]);
      if (r >= 0) {
        connections[index] += connectedAtMs.length - connectedBefore;
        samples[index].push(us);
        mockSamples[index].push(mockUs);
        hedgeSamples[index].push((variants[index].hedges?.() ?? 0) - hedgesBefore);
      }
    }
  await Promise.all(variants.map((variant) => variant.close()));
  console.log(
    `${userOnly ? 'User' : 'CPU'} µs per call, concurrency ${concurrency}, ${rounds} rounds x ${calls} calls (median / min), client then mock:`,
  );
  const medianOf = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const stats = (values: number[]): string =>
    `${medianOf(values).toFixed(1).padStart(7)} / ${Math.min(...values)
      .toFixed(1)
      .padStart(7)}`;
  // Each round's value minus the first variant's in the same round: pairing cancels the load drift between rounds.
  const paired = (values: number[][], index: number): string =>
    medianOf(values[index].map((us, r) => us - values[0][r]))
      .toFixed(1)
      .padStart(7);
  const hedged = (variant: Variant): string => {
    if (!variant.hedges || !variant.races) return '';
    const { wonByHedge, wonByPrimary } = variant.races();
    const perThousand = (variant.hedges() * 1_000) / ((rounds + 1) * calls);
    return `   ${perThousand.toFixed(2)} hedges per 1,000 calls, races won by the hedge ${wonByHedge}, by the first attempt ${wonByPrimary}`;
  };
  // The rounds in order of the first variant's CPU per call: how busy the machine was in each.
  const byLoad = samples[0].map((_, r) => r).sort((a, b) => samples[0][a] - samples[0][b]);
  const third = Math.floor(rounds / 3);
  const meanHedges = (index: number, rs: number[]): string =>
    (rs.reduce((sum, r) => sum + hedgeSamples[index][r], 0) / rs.length).toFixed(2);
  // Against `pool-no-hedging` when it ran: the CPU a variant's hedges cost, per hedge, client and mock.
  const noHedging = names.indexOf('pool-no-hedging');
  const perHedge = (variant: Variant, index: number): string => {
    const hedges = variant.hedges?.() ?? 0;
    if (noHedging < 0 || hedges === 0) return '';
    const sent = hedges / ((rounds + 1) * calls);
    const cost = (values: number[][]): string =>
      (medianOf(values[index].map((us, r) => us - values[noHedging][r])) / sent).toFixed(0);
    return `\n  ${''.padEnd(20)} CPU per hedge sent, over pool-no-hedging in the same round: ${cost(samples)} µs of the client's, ${cost(mockSamples)} µs of the mock's`;
  };
  const hedgesByLoad = (variant: Variant, index: number): string =>
    variant.hedges?.() && third > 0
      ? `\n  ${''.padEnd(20)} hedges per round: ${meanHedges(index, byLoad.slice(0, third))} in the third of rounds where ${variants[0].name} took the least CPU, ${meanHedges(index, byLoad.slice(-third))} in the third where it took the most`
      : '';
  const bursts = (variant: Variant): string => {
    const log = variant.hedgeLog?.();
    return log?.atMs.length
      ? `\n  ${''.padEnd(20)} ${describeHedges(log.atMs, log.fromKeyIds, log.skips, connectedAtMs)}`
      : '';
  };
  console.log(`  ${''.padEnd(20)} client           mock             minus ${variants[0].name} in the same round`);
  variants.forEach((variant, index) => {
    console.log(
      `  ${variant.name.padEnd(20)} ${stats(samples[index])}   ${stats(mockSamples[index])}   ${paired(samples, index)} ${paired(mockSamples, index)}${hedged(variant)}${perHedge(variant, index)}${hedgesByLoad(variant, index)}${bursts(variant)}\n  ${''.padEnd(20)} connections opened in its measured rounds: ${connections[index]}`,
    );
  });
} finally {
  await stopAll();
}
