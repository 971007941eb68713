/**
 * Latency rounds of any overhead variants, as the overhead suite measures its targets (interleaved rounds in one
 * process, a seeded random order each round): each variant's p50 over all calls and the median of its rounds' p50
 * minus the first variant's in the same round, divided by it, with a 95 % rank interval. List the first variant twice
 * for an A/A control; add or leave out a client to see what sharing the process with it does to the others.
 * `--first-concurrency N` first runs the same variants at that concurrency in the same process (100 rounds x 1,000
 * calls, new clients), as the suite's worker runs its concurrency-1 rounds before those at 64.
 *
 *   node bench/dist/overhead/latency-rounds.js [--concurrency 64] [--rounds 200] [--calls 1500] \
 *     [--first-concurrency 1] undici undici-aa pool pool-no-hedging [openai]
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { MockScenario } from 'nestjs-deepseek-pool-mock';
import { stopAll } from '../lib/children.js';
import { median, medianInterval } from '../lib/median.js';
import { startMock } from '../lib/mock-service.js';
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
  },
});
const names = positionals as VariantName[];
if (names.length < 2) throw new Error('name at least two variants: the first is the one the others are compared with');

/** One phase: new clients of `names`, interleaved rounds, then each one's figures. */
async function phase(target: Target, plan: RoundPlan): Promise<void> {
  const variants = names.map((name) => VARIANTS[name](target));
  const result = await interleave(variants, plan);
  await Promise.all(variants.map((variant) => variant.close()));
  console.log(
    `p50 µs, concurrency ${plan.concurrency}, ${plan.rounds} rounds x ${plan.perRound} calls; ` +
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

const scenarioFile = repoPath('libs/deepseek-mock/scenarios/fast.json');
const scenario = JSON.parse(await readFile(scenarioFile, 'utf8')) as MockScenario;
const mock = await startMock(scenarioFile);
try {
  const target = { url: mock.url, keys: scenario.keys.map((key) => key.key) };
  const firstConcurrency = values['first-concurrency'];
  if (firstConcurrency !== undefined)
    await phase(target, { concurrency: Number(firstConcurrency), rounds: 100, perRound: 1_000, warmupRounds: 2 });
  await phase(target, {
    concurrency: Number(values.concurrency),
    rounds: Number(values.rounds),
    perRound: Number(values.calls),
    warmupRounds: 2,
  });
} finally {
  await stopAll();
}
