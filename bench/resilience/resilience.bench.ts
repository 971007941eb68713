import { readFile } from 'node:fs/promises';
import type { MockScenario } from 'nestjs-deepseek-pool-mock';
import { startMock } from '../lib/mock-service.js';
import { distModule, repoPath } from '../lib/paths.js';
import { type PortkeyService, startPortkey } from '../lib/portkey.js';
import { freePort } from '../lib/ports.js';
import type { BenchSuite, SuiteContext } from '../lib/suite.js';
import { WorkerProcess } from '../lib/worker.js';
import type { RunKey } from './clients/chat-client.js';
import type { RunMetrics } from './metrics.js';
import { renderResilience, summarizeResilience } from './render.js';
import { type ResilienceScenario, loadScenarios } from './scenario.js';
import {
  ATTEMPT_TIMEOUT_MS,
  BREAKER_RESET_MS,
  MAX_ATTEMPTS,
  NAIVE_SKIP_MS,
  PHASES,
  type Phases,
  REQUEST_DEADLINE_MS,
} from './settings.js';
import { type SystemSpec, systemId, systemLabel, systemsFor } from './systems.js';
import type { ResilienceJob } from './worker.js';

const WORKER = distModule('resilience/worker');
/** Beyond the phases: process start, the last requests' deadline, closing. */
const JOB_SLACK_MS = 60_000;

export type RunRecord =
  { system: string; label: string; metrics: RunMetrics } | { system: string; label: string; error: string };

export interface ScenarioResult extends Pick<
  ResilienceScenario,
  'anchor' | 'id' | 'title' | 'expectation' | 'ratePerS' | 'maxAttemptsPerRequest'
> {
  runs: RunRecord[];
}

export interface ResilienceResult {
  settings: {
    attemptTimeoutMs: number;
    requestDeadlineMs: number;
    maxAttempts: number;
    breakerResetMs: number;
    naiveSkipMs: number;
    phases: Phases;
  };
  portkey: { status: 'ok'; version: string } | { status: 'unavailable'; reason: string } | { status: 'not-run' };
  scenarios: ScenarioResult[];
}

async function runKeys(scenario: ResilienceScenario, mockUrl: string): Promise<RunKey[]> {
  const cast = JSON.parse(await readFile(repoPath(scenario.cast), 'utf8')) as MockScenario;
  const keys: RunKey[] = cast.keys.map((key) => ({ name: key.name ?? key.key, apiKey: key.key, baseUrl: mockUrl }));
  if (!scenario.refusedKeys?.length) return keys;
  const refused = `http://127.0.0.1:${await freePort()}`;
  return [
    ...keys,
    ...scenario.refusedKeys.map((name) => ({ name, apiKey: `sk-refused-${name}-0000000001`, baseUrl: refused })),
  ];
}

type Worker = WorkerProcess<ResilienceJob, RunMetrics>;

/** One run: a fresh mock, a fresh client in the (shared) worker process. */
async function runOne(
  worker: Worker,
  scenario: ResilienceScenario,
  system: SystemSpec,
  phases: Phases,
  portkey: PortkeyService | undefined,
  context: SuiteContext,
): Promise<RunRecord> {
  const base = { system: systemId(system), label: systemLabel(system) };
  if (system.kind === 'portkey' && !portkey) return { ...base, error: 'Portkey gateway unavailable' };
  const mock = await startMock(repoPath(scenario.cast));
  try {
    const job: ResilienceJob = {
      scenario,
      system,
      phases,
      mockUrl: mock.url,
      keys: await runKeys(scenario, mock.url),
      ...(portkey ? { portkeyUrl: portkey.url } : {}),
    };
    const budgetMs = phases.baselineMs + phases.faultMs + phases.recoveryMs + JOB_SLACK_MS;
    const metrics = await worker.run(job, budgetMs);
    context.log(
      `${scenario.anchor} ${scenario.id} / ${base.system}: success ${(metrics.successRate * 100).toFixed(1)}%, p99 ${metrics.latencyMs.p99} ms, ${metrics.attemptsPerRequest} attempts/request`,
    );
    return { ...base, metrics };
  } catch (error) {
    context.log(
      `${scenario.anchor} ${scenario.id} / ${base.system}: FAILED ${(error as Error).message.split('\n')[0]}`,
    );
    return { ...base, error: (error as Error).message };
  } finally {
    await mock.child.stop();
  }
}

async function run(context: SuiteContext): Promise<ResilienceResult> {
  const scenarios = await loadScenarios(process.env.BENCH_SCENARIOS?.split(',').map(Number));
  const phases = PHASES[context.profile];
  const plan = scenarios.map((scenario, index) => ({ scenario, systems: systemsFor(context.profile, index) }));
  let portkey: PortkeyService | undefined;
  let portkeyStatus: ResilienceResult['portkey'] = { status: 'not-run' };
  if (plan.some((p) => p.systems.some((s) => s.kind === 'portkey'))) {
    try {
      portkey = await startPortkey();
      portkeyStatus = { status: 'ok', version: portkey.version };
    } catch (error) {
      portkeyStatus = { status: 'unavailable', reason: (error as Error).message };
    }
  }
  // One worker process for the suite (importing the library costs about a second); every run builds its own client.
  let worker: Worker = WorkerProcess.start('resilience-worker', WORKER);
  try {
    const results: ScenarioResult[] = [];
    for (const { scenario, systems } of plan) {
      const runs: RunRecord[] = [];
      for (const system of systems) {
        const record = await runOne(worker, scenario, system, phases, portkey, context);
        runs.push(record);
        if (!worker.alive) {
          await worker.close();
          worker = WorkerProcess.start('resilience-worker', WORKER);
        }
      }
      const { anchor, id, title, expectation, ratePerS, maxAttemptsPerRequest } = scenario;
      results.push({
        anchor,
        id,
        title,
        expectation,
        ratePerS,
        ...(maxAttemptsPerRequest === undefined ? {} : { maxAttemptsPerRequest }),
        runs,
      });
    }
    return {
      settings: {
        attemptTimeoutMs: ATTEMPT_TIMEOUT_MS,
        requestDeadlineMs: REQUEST_DEADLINE_MS,
        maxAttempts: MAX_ATTEMPTS,
        breakerResetMs: BREAKER_RESET_MS,
        naiveSkipMs: NAIVE_SKIP_MS,
        phases,
      },
      portkey: portkeyStatus,
      scenarios: results,
    };
  } finally {
    await worker.close();
    await portkey?.child.stop();
  }
}

function check(result: ResilienceResult): string[] {
  return result.scenarios.flatMap((scenario) =>
    scenario.runs.flatMap((run) => {
      if ('error' in run)
        return run.system === 'portkey' && result.portkey.status === 'unavailable'
          ? []
          : [`${scenario.id} / ${run.system}: ${run.error.split('\n')[0]}`];
      return run.metrics.requests > 0 ? [] : [`${scenario.id} / ${run.system}: no request was measured`];
    }),
  );
}

const suite: BenchSuite<ResilienceResult> = {
  id: 'resilience',
  title: 'Resilience: scenarios 3-11 of anchors.md',
  order: 30,
  run,
  render: renderResilience,
  summary: summarizeResilience,
  check,
};
export default suite;
