import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { MockScenario } from 'nestjs-deepseek-pool-mock';
import { type ProfileSummary, summarizeProfile } from '../lib/cpu-profile.js';
import { type LatencySummary, round } from '../lib/histogram.js';
import { startMock } from '../lib/mock-service.js';
import { distModule, repoPath } from '../lib/paths.js';
import type { BenchSuite, SuiteContext } from '../lib/suite.js';
import { WorkerProcess, runWorker } from '../lib/worker.js';
import { renderOverhead, summarizeOverhead } from './render.js';
import type { RoundPlan } from './rounds.js';
import { inFreshWorkers, mergeRuns } from './fresh-runs.js';
import { OVERHEAD_SIZES, type OverheadSizes } from './sizes.js';
import { overheadTargets } from './targets.js';
import { type Target, type VariantName, WORK_AFTER_SEND_US } from './variants.js';
import type { OverheadJob, OverheadJobResult } from './worker.js';

const FAST_SCENARIO = 'libs/deepseek-mock/scenarios/fast.json';
const WORKER = distModule('overhead/worker');
const JOB_TIMEOUT_MS = 600_000;

/** Pool minus direct undici, per percentile, µs. */
export interface Added {
  p50: number;
  p99: number;
  p999: number;
}

export interface OverheadRun extends RoundPlan {
  /**
   * The fresh worker processes the rounds were run in, `rounds / runs` each, in the order of the runs (absent: one
   * process, as in older results); the targets are judged across them (targets.ts).
   */
  runs?: number;
  /** µs by variant (chat: time to the parsed body; stream: time to the first content chunk). */
  latencyUs: OverheadJobResult;
  added: Added;
}

export interface OverheadResult {
  mock: { scenario: string; keys: number; latencyMs: number };
  /**
   * The targets' runs, one per concurrency, each merged from fresh processes (`runs`): the direct call and its A/A
   * copy, the pool's transport, `pool.chat` with, without hedging.
   */
  chat: OverheadRun[];
  /**
   * The `openai` client and `pool.chat` against the direct call, in rounds of their own (absent in older results, whose
   * `chat` runs had the `openai` client in the same rounds as the targets').
   */
  openai?: OverheadRun[];
  /** pool.chat vs the direct path over an in-process stub transport. */
  inProcess: OverheadRun[];
  /**
   * pool.chat over loopback until its transport is called, vs the whole pool.chat over the stub (absent in older
   * results).
   */
  send?: OverheadRun[];
  /**
   * The in-process pair again over a stub that answers after a round trip to the mock: the pool's cost when the
   * process sleeps between the request and its answer (absent in older results).
   */
  wait?: OverheadRun[];
  /**
   * The pool's transport alone, then with CPU work after the send in the same event-loop turn: whether such work
   * delays the request (absent in older results).
   */
  turn?: { workAfterSendUs: number; runs: OverheadRun[] };
  /**
   * pool.chat over the stub: OpenTelemetry off (the API absent), API without SDK, recording SDK (absent in older
   * results).
   */
  telemetry?: OverheadRun[];
  stream: OverheadRun[];
  profile?: ProfileSummary & { calls: number };
  /** Why the CPU profile is missing, when it failed (the latency figures stand without it). */
  profileError?: string;
}

function added(pool: LatencySummary, direct: LatencySummary): Added {
  return { p50: round(pool.p50 - direct.p50), p99: round(pool.p99 - direct.p99), p999: round(pool.p999 - direct.p999) };
}

type Worker = WorkerProcess<OverheadJob, OverheadJobResult>;

async function measure(
  worker: Worker,
  target: Target,
  plan: RoundPlan,
  variants: [VariantName, ...VariantName[]],
  pool: VariantName,
  direct: VariantName,
  context: SuiteContext,
): Promise<OverheadRun> {
  context.log(
    `${variants.join(' / ')} at concurrency ${plan.concurrency}: ${plan.rounds} rounds x ${plan.perRound} calls`,
  );
  const latencyUs = await worker.run({ ...plan, target, variants }, JOB_TIMEOUT_MS);
  return { ...plan, latencyUs, added: added(latencyUs[pool], latencyUs[direct]) };
}

const TARGET_CLIENTS: [VariantName, ...VariantName[]] = ['undici', 'undici-aa', 'transport', 'pool', 'pool-no-hedging'];

/**
 * The targets' runs: every plan of `targets`, in order, in each of its fresh worker processes, one after the other;
 * per plan, the runs merged into one (`mergeRuns`) that says how many they were.
 */
async function targetRuns(
  target: Target,
  targets: OverheadSizes['targets'],
  context: SuiteContext,
): Promise<OverheadRun[]> {
  const { runs, plans } = targets;
  context.log(
    `${TARGET_CLIENTS.join(' / ')} in ${runs} fresh processes, each: ` +
      plans
        .map((plan) => `${plan.rounds} rounds x ${plan.perRound} calls at concurrency ${plan.concurrency}`)
        .join(', then '),
  );
  const jobs = plans.map((plan): OverheadJob => ({ ...plan, target, variants: TARGET_CLIENTS, histograms: true }));
  const results = await inFreshWorkers(jobs, runs, (index) => context.log(`run ${index + 1} of ${runs} done`));
  return plans.map((plan, index) => {
    const latencyUs = mergeRuns(results.map((run) => run[index]));
    return { ...plan, rounds: plan.rounds * runs, runs, latencyUs, added: added(latencyUs.pool, latencyUs.undici) };
  });
}

/** `pool.chat` alone over the stub transport under `node --cpu-prof`: where the pool's own CPU goes. */
async function cpuProfile(target: Target, calls: number, context: SuiteContext): Promise<OverheadResult['profile']> {
  const dir = join(context.runDir, 'cpu-profile');
  await rm(dir, { recursive: true, force: true });
  context.log(`CPU profile of pool.chat over the stub transport: ${calls} calls (node --cpu-prof, ${dir})`);
  const job: OverheadJob = {
    concurrency: 1,
    rounds: 1,
    warmupRounds: 1,
    perRound: calls,
    target,
    variants: ['pool-stub'],
  };
  await runWorker<OverheadJob, OverheadJobResult>('overhead-profile', WORKER, job, JOB_TIMEOUT_MS, {
    nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir],
  });
  return {
    calls,
    ...(await summarizeProfile(dir, repoPath('libs/deepseek-pool/dist'), [
      'nestjs-deepseek-pool',
      'opossum',
      "node's internals",
    ])),
  };
}

/** Every measurement against the mock at `target`: the targets' runs, then the others (`mock`: what it is). */
async function measureAll(
  target: Target,
  mock: OverheadResult['mock'],
  sizes: OverheadSizes,
  context: SuiteContext,
): Promise<OverheadResult> {
  const chat = await targetRuns(target, sizes.targets, context);
  // One worker process for the other measurements (each job builds its own clients); the CPU profile gets its own.
  const worker: Worker = WorkerProcess.start('overhead-worker', WORKER);
  try {
    const inProcess: OverheadRun[] = [];
    for (const plan of sizes.inProcess)
      inProcess.push(
        await measure(
          worker,
          target,
          plan,
          ['stub-direct', 'pool-stub', 'pool-stub-no-hedging'],
          'pool-stub',
          'stub-direct',
          context,
        ),
      );
    const send = [
      await measure(worker, target, sizes.chat[0], ['pool-stub', 'pool-send'], 'pool-send', 'pool-stub', context),
    ];
    const wait = [
      await measure(
        worker,
        target,
        sizes.chat[0],
        ['stub-wait-direct', 'pool-stub-wait'],
        'pool-stub-wait',
        'stub-wait-direct',
        context,
      ),
    ];
    const turn = {
      workAfterSendUs: WORK_AFTER_SEND_US,
      runs: [
        await measure(
          worker,
          target,
          sizes.chat[0],
          ['transport', 'transport-work'],
          'transport-work',
          'transport',
          context,
        ),
      ],
    };
    const telemetry = [
      await measure(
        worker,
        target,
        sizes.inProcess[0],
        ['pool-stub-off', 'pool-stub-off-aa', 'pool-stub', 'pool-stub-otel'],
        'pool-stub-otel',
        'pool-stub-off',
        context,
      ),
    ];
    const stream: OverheadRun[] = [];
    for (const plan of sizes.stream)
      stream.push(
        await measure(worker, target, plan, ['undici-sse', 'pool-stream'], 'pool-stream', 'undici-sse', context),
      );
    // Last, so that its garbage and connections stay out of every other measurement (finding 1).
    const openai: OverheadRun[] = [];
    for (const plan of sizes.chat)
      openai.push(await measure(worker, target, plan, ['undici', 'openai', 'pool'], 'pool', 'undici', context));
    const result: OverheadResult = {
      mock,
      chat,
      openai,
      inProcess,
      send,
      wait,
      turn,
      telemetry,
      stream,
    };
    await worker.close();
    if (sizes.profileCalls === 0) return result;
    try {
      return { ...result, profile: await cpuProfile(target, sizes.profileCalls, context) };
    } catch (error) {
      return { ...result, profileError: (error as Error).message };
    }
  } finally {
    await worker.close();
  }
}

async function run(context: SuiteContext): Promise<OverheadResult> {
  const scenario = JSON.parse(await readFile(repoPath(FAST_SCENARIO), 'utf8')) as MockScenario;
  const mock = await startMock(repoPath(FAST_SCENARIO));
  try {
    return await measureAll(
      { url: mock.url, keys: scenario.keys.map((key) => key.key) },
      { scenario: FAST_SCENARIO, keys: scenario.keys.length, latencyMs: scenario.defaults?.latencyMs ?? 0 },
      OVERHEAD_SIZES[context.profile],
      context,
    );
  } finally {
    await mock.child.stop();
  }
}

function check(result: OverheadResult): string[] {
  const runs = [
    ...result.chat,
    ...(result.openai ?? []),
    ...result.inProcess,
    ...(result.send ?? []),
    ...(result.wait ?? []),
    ...(result.turn?.runs ?? []),
    ...(result.telemetry ?? []),
    ...result.stream,
  ];
  const problems = runs.flatMap((r) =>
    Object.entries(r.latencyUs)
      .filter(([, s]) => !(s.count === r.rounds * r.perRound && s.p50 > 0 && s.p99 >= s.p50))
      .map(([name]) => `${name} at concurrency ${r.concurrency}: malformed summary`),
  );
  if (overheadTargets(result.chat).length !== 3)
    problems.push('no targets: a concurrency-1 or concurrency-64 run is missing');
  return problems;
}

const suite: BenchSuite<OverheadResult> = {
  id: 'overhead',
  title: 'Overhead: pool.chat vs a direct call',
  order: 10,
  run,
  render: renderOverhead,
  summary: summarizeOverhead,
  check,
};
export default suite;
