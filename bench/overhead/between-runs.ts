/**
 * The overhead suite's latency rounds repeated in fresh processes, to see the spread between runs that one run's
 * interval leaves out: each run is a new worker (the suite's `overhead/worker`) against one mock, one after the other.
 * Prints each run's paired added p50 of every client against the first (the median of its rounds' p50 minus the
 * first client's in the same round, divided by it, with its 95 % rank interval, as `latency-rounds.js` does), then,
 * across runs, the median of the runs' medians with the interval from their ranks and its verdict against `--limit`
 * (percent; the 10 % at concurrency 64). List the first client twice for an A/A control.
 * `--first-concurrency N` first runs the same clients at that concurrency in each worker (100 rounds x 1,000 calls, new
 * clients, not judged), as the suite's worker runs its concurrency-1 rounds before those at 64.
 *
 *   node bench/dist/overhead/between-runs.js [--runs 6] [--concurrency 64] [--rounds 100] [--calls 1500] \
 *     [--limit 10] [--first-concurrency 1] undici undici-aa pool pool-no-hedging
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { MockScenario } from 'nestjs-deepseek-pool-mock';
import { stopAll } from '../lib/children.js';
import { median, medianInterval } from '../lib/median.js';
import { startMock } from '../lib/mock-service.js';
import { repoPath } from '../lib/paths.js';
import { inFreshWorkers } from './fresh-runs.js';
import { acrossRuns, pairedAdded } from './targets.js';
import type { VariantName } from './variants.js';
import type { OverheadJob } from './worker.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: '6' },
    concurrency: { type: 'string', default: '64' },
    rounds: { type: 'string', default: '100' },
    calls: { type: 'string', default: '1500' },
    limit: { type: 'string', default: '10' },
    'first-concurrency': { type: 'string' },
  },
});
const names = positionals as VariantName[];
if (names.length < 2) throw new Error('name at least two clients: the first is the one the others are compared with');
const runs = Number(values.runs);
const limit = Number(values.limit);
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`--runs must be a whole number of at least 1, not "${values.runs}"`);
if (!Number.isFinite(limit)) throw new Error(`--limit must be a number (percent), not "${values.limit}"`);

const interval = (range: [number, number] | undefined): string =>
  range ? `[${range[0].toFixed(1)}, ${range[1].toFixed(1)}]` : '';

const scenarioFile = repoPath('libs/deepseek-mock/scenarios/fast.json');
const scenario = JSON.parse(await readFile(scenarioFile, 'utf8')) as MockScenario;
const mock = await startMock(scenarioFile);
try {
  const job: OverheadJob = {
    concurrency: Number(values.concurrency),
    rounds: Number(values.rounds),
    perRound: Number(values.calls),
    warmupRounds: 2,
    target: { url: mock.url, keys: scenario.keys.map((key) => key.key) },
    variants: names,
  };
  const first = values['first-concurrency'];
  // Each worker runs the same clients at --first-concurrency first, when given.
  const jobs =
    first === undefined ? [job] : [{ ...job, concurrency: Number(first), rounds: 100, perRound: 1_000 }, job];
  const runMedians = new Map<string, number[]>(names.slice(1).map((name) => [name, []]));
  await inFreshWorkers(jobs, runs, (index, results) => {
    const result = results[results.length - 1];
    console.log(`run ${index + 1} of ${runs}: ${names[0]} p50 ${result[names[0]].p50.toFixed(1)} µs`);
    for (const [name, medians] of runMedians) {
      const differences = (pairedAdded({ latencyUs: result }, name, 'p50', true, names[0]) ?? []).map((x) => x * 100);
      const runMedian = median(differences);
      medians.push(runMedian);
      const hedges = result[name].hedges === undefined ? '' : `   ${result[name].hedges} hedges`;
      const line = `${runMedian.toFixed(1).padStart(6)} % ${interval(medianInterval(differences))}`;
      console.log(`  ${name.padEnd(24)} ${line}${hedges}`);
    }
  });
  console.log(
    `across ${runs} runs of ${job.rounds} rounds x ${job.perRound} calls at concurrency ${job.concurrency}: ` +
      `the median of the runs' medians [its interval from their ranks], against ${limit} %`,
  );
  for (const [name, medians] of runMedians) {
    const figure = acrossRuns(medians, limit);
    if (figure === undefined) continue;
    const runsList = medians.map((value) => value.toFixed(1)).join(', ');
    console.log(
      `  ${name.padEnd(24)} ${figure.median.toFixed(1).padStart(6)} % ${interval(figure.interval)} ${figure.verdict}   (runs: ${runsList})`,
    );
  }
} finally {
  await stopAll();
}
