import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { MockScenario } from 'nestjs-deepseek-pool-mock';
import { type ProfileSummary, summarizeProfile } from '../lib/cpu-profile.js';
import { type MockService, startMock } from '../lib/mock-service.js';
import { processCpuUs } from '../lib/process-cpu.js';
import { repoPath } from '../lib/paths.js';
import type { BenchSuite, SuiteContext } from '../lib/suite.js';
import { type StepResult, loadStep } from './load.js';
import { renderThroughput, summarizeThroughput } from './render.js';
import { THROUGHPUT_SIZES } from './sizes.js';
import { type RunningSystem, THROUGHPUT_SYSTEMS, type ThroughputSystem, gateway } from './systems.js';

const LATENCY_SCENARIO = 'libs/deepseek-mock/scenarios/latency-50ms.json';
/** The sustainable rate is the highest one whose p99 stays within this of the mock's latency, without errors. */
const ADDED_P99_LIMIT_MS = 5;

export interface Sustained {
  connections: number;
  reqPerS: number;
}

export type SystemResult =
  | {
      id: string;
      label: string;
      status: 'ok';
      note: string;
      steps: StepResult[];
      upstreamPerAnswer: number;
      sustained: Sustained | null;
    }
  | { id: string; label: string; status: 'unavailable'; reason: string };

export interface GatewayProfile extends ProfileSummary {
  connections: number;
  seconds: number;
  reqPerS: number;
}

/** One system's rate in one verdict round. */
export interface RoundRate {
  reqPerS: number;
  cpuUsPerAnswer?: number;
}

/** The verdict's rounds (sizes.ts): per system id, its rate in each round, in round order. */
export interface VerdictRounds {
  connections: number;
  seconds: number;
  /** Load on each system alone before the rounds; absent in results recorded before it was its own size (3 s). */
  warmupS?: number;
  rounds: number;
  bySystem: Record<string, RoundRate[]>;
}

export interface ThroughputResult {
  mock: { scenario: string; keys: number; latencyMs: number };
  addedP99LimitMs: number;
  systems: SystemResult[];
  /** Absent in results recorded before the verdict had rounds of its own (its step of the table then). */
  verdict?: VerdictRounds;
  /** Where the sample gateway's CPU goes under load (`node --cpu-prof` of its process). */
  gatewayProfile?: GatewayProfile;
  gatewayProfileError?: string;
}

function sustained(steps: readonly StepResult[]): Sustained | null {
  const within = steps.filter(
    (s) => s.addedP99Ms < ADDED_P99_LIMIT_MS && s.errors.connection + s.errors.timeouts + s.errors.non2xx === 0,
  );
  const best = within.sort((a, b) => b.reqPerS - a.reqPerS).at(0);
  return best ? { connections: best.connections, reqPerS: best.reqPerS } : null;
}

/** One step of load on a running system, with the CPU its process spent per answer. */
async function measuredStep(
  running: RunningSystem,
  connections: number,
  seconds: number,
  latencyMs: number,
): Promise<StepResult> {
  const pid = running.child?.process.pid;
  const cpuBefore = await processCpuUs(pid);
  const step = await loadStep(running.url, running.headers, connections, seconds, latencyMs);
  const cpuAfter = await processCpuUs(pid);
  if (cpuBefore !== undefined && cpuAfter !== undefined && step.answered > 0)
    step.cpuUsPerAnswer = Math.round((cpuAfter - cpuBefore) / step.answered);
  return step;
}

async function measureSystem(
  system: ThroughputSystem,
  mock: MockService,
  keys: string[],
  latencyMs: number,
  context: SuiteContext,
): Promise<SystemResult> {
  const sizes = THROUGHPUT_SIZES[context.profile];
  let running;
  try {
    running = await system.start(mock, keys, context.runDir);
  } catch (error) {
    context.log(`${system.id}: cannot start: ${(error as Error).message.split('\n')[0]}`);
    return { id: system.id, label: system.label, status: 'unavailable', reason: (error as Error).message };
  }
  try {
    await loadStep(running.url, running.headers, sizes.steps[0], sizes.warmupS, latencyMs);
    await mock.admin.resetCounters();
    const steps: StepResult[] = [];
    for (const connections of sizes.steps) {
      const step = await measuredStep(running, connections, sizes.stepS, latencyMs);
      context.log(
        `${system.id} x${connections}: ${step.reqPerS} req/s, p99 ${step.latencyMs.p99} ms, ${step.cpuUsPerAnswer ?? '-'} CPU µs per answer, errors ${JSON.stringify(step.errors)}`,
      );
      steps.push(step);
    }
    const upstream = (await mock.admin.stats()).totalRequests.chat;
    const answered = steps.reduce((sum, s) => sum + s.answered, 0);
    return {
      id: system.id,
      label: system.label,
      status: 'ok',
      note: running.note,
      steps,
      upstreamPerAnswer: Math.round((upstream / Math.max(answered, 1)) * 100) / 100,
      sustained: sustained(steps),
    };
  } finally {
    await running.child?.stop();
  }
}

/**
 * The verdict's rounds: the systems that ran all started at once, then each loaded in turn, in an order rotated every
 * round, so the machine's drift hits every system alike and each round's shares compare like with like.
 */
async function verdictRounds(
  systems: readonly ThroughputSystem[],
  mock: MockService,
  keys: string[],
  latencyMs: number,
  context: SuiteContext,
): Promise<VerdictRounds> {
  const { verdict } = THROUGHPUT_SIZES[context.profile];
  const running: Array<{ id: string; system: RunningSystem }> = [];
  try {
    for (const system of systems)
      try {
        running.push({ id: system.id, system: await system.start(mock, keys, context.runDir) });
      } catch (error) {
        context.log(`${system.id}: cannot start for the verdict's rounds: ${(error as Error).message.split('\n')[0]}`);
      }
    for (const { system } of running)
      await loadStep(system.url, system.headers, verdict.connections, verdict.warmupS, latencyMs);
    const bySystem: Record<string, RoundRate[]> = Object.fromEntries(running.map(({ id }) => [id, []]));
    for (let round = 0; round < verdict.rounds; round++)
      for (let i = 0; i < running.length; i++) {
        const { id, system } = running[(round + i) % running.length];
        const step = await measuredStep(system, verdict.connections, verdict.seconds, latencyMs);
        context.log(
          `verdict round ${round + 1} ${id} x${verdict.connections}: ${step.reqPerS} req/s, ${step.cpuUsPerAnswer ?? '-'} CPU µs per answer`,
        );
        bySystem[id].push({ reqPerS: step.reqPerS, cpuUsPerAnswer: step.cpuUsPerAnswer });
      }
    const { connections, seconds, rounds, warmupS } = verdict;
    return { connections, seconds, rounds, warmupS, bySystem };
  } finally {
    await Promise.all(running.flatMap(({ system }) => (system.child ? [system.child.stop()] : [])));
  }
}

/** The gateway under `node --cpu-prof` for one step of load; the profile is written when it exits on SIGTERM. */
async function profileGateway(
  mock: MockService,
  keys: string[],
  latencyMs: number,
  context: SuiteContext,
): Promise<GatewayProfile> {
  const { connections, seconds } = THROUGHPUT_SIZES[context.profile].profile;
  const dir = join(context.runDir, 'gateway-cpu-profile');
  await rm(dir, { recursive: true, force: true });
  context.log(`CPU profile of the gateway: ${connections} connections for ${seconds} s (node --cpu-prof, ${dir})`);
  const running = await gateway.start(mock, keys, context.runDir, ['--cpu-prof', '--cpu-prof-dir', dir]);
  try {
    const step = await loadStep(running.url, running.headers, connections, seconds, latencyMs);
    await running.child?.stop();
    return {
      connections,
      seconds,
      reqPerS: step.reqPerS,
      ...(await summarizeProfile(dir, repoPath('libs/deepseek-pool/dist'), 'all')),
    };
  } finally {
    await running.child?.stop();
  }
}

async function run(context: SuiteContext): Promise<ThroughputResult> {
  const scenario = JSON.parse(await readFile(repoPath(LATENCY_SCENARIO), 'utf8')) as MockScenario;
  const keys = scenario.keys.map((key) => key.key);
  const latencyMs = scenario.defaults?.latencyMs ?? 0;
  const mock = await startMock(repoPath(LATENCY_SCENARIO));
  try {
    const systems: SystemResult[] = [];
    for (const system of THROUGHPUT_SYSTEMS) systems.push(await measureSystem(system, mock, keys, latencyMs, context));
    const ran = THROUGHPUT_SYSTEMS.filter((system) => systems.find((s) => s.id === system.id)?.status === 'ok');
    const result: ThroughputResult = {
      mock: { scenario: LATENCY_SCENARIO, keys: keys.length, latencyMs },
      addedP99LimitMs: ADDED_P99_LIMIT_MS,
      systems,
      verdict: await verdictRounds(ran, mock, keys, latencyMs, context),
    };
    if (THROUGHPUT_SIZES[context.profile].profile.seconds === 0) return result;
    try {
      return { ...result, gatewayProfile: await profileGateway(mock, keys, latencyMs, context) };
    } catch (error) {
      return { ...result, gatewayProfileError: (error as Error).message };
    }
  } finally {
    await mock.child.stop();
  }
}

function check(result: ThroughputResult): string[] {
  return result.systems.flatMap((system) => {
    if (system.status !== 'ok') return system.id === 'portkey' ? [] : [`${system.id}: unavailable`];
    return system.steps
      .filter((s) => !(s.reqPerS > 0 && s.latencyMs.p99 >= s.latencyMs.p50))
      .map((s) => `${system.id} x${s.connections}: no successful load`);
  });
}

const suite: BenchSuite<ThroughputResult> = {
  id: 'throughput',
  title: 'Throughput: gateways over a 50 ms mock',
  order: 20,
  run,
  render: renderThroughput,
  summary: summarizeThroughput,
  check,
};
export default suite;
