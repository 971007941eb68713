import { MockAdmin } from '../lib/mock-service.js';
import { serveWorker } from '../lib/worker.js';
import type { RunKey } from './clients/chat-client.js';
import { makeClient } from './clients/make-client.js';
import { OpenLoop } from './load.js';
import { type RunMetrics, type Timeline, runMetrics } from './metrics.js';
import { StatsSampler } from './sampler.js';
import type { MockChange, ResilienceScenario } from './scenario.js';
import { type Phases, REQUEST_DEADLINE_MS } from './settings.js';
import type { SystemSpec } from './systems.js';

/** One scenario run through one client, in its own process (the mock and Portkey are others). */
export interface ResilienceJob {
  scenario: ResilienceScenario;
  system: SystemSpec;
  phases: Phases;
  mockUrl: string;
  keys: RunKey[];
  portkeyUrl?: string;
}

const SAMPLE_EVERY_MS = 25;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function apply(admin: MockAdmin, changes: readonly MockChange[]): Promise<void> {
  await Promise.all(
    changes.map((change) =>
      'key' in change ? admin.setKey(change.key, change.patch) : admin.setBalance(change.account, change.balance),
    ),
  );
}

/**
 * Baseline, fault, recovery (as the scenario has them): the load runs throughout, switching the mock's faults
 * at the boundaries, and pauses at the end of the measured window until that window's requests are done.
 */
async function runPhases(
  job: ResilienceJob,
  loop: OpenLoop,
  sampler: StatsSampler,
  admin: MockAdmin,
  now: () => number,
): Promise<Timeline> {
  const { scenario, phases } = job;
  const start = () => loop.start(scenario.ratePerS, REQUEST_DEADLINE_MS);
  const endWindow = async () => {
    const windowEndMs = now();
    await loop.stop();
    return { windowEndMs, drainedMs: (await sampler.sample()).atMs };
  };
  start();
  if (scenario.fault.length === 0) {
    await sleep(phases.baselineMs + phases.faultMs + phases.recoveryMs);
    const window = await endWindow();
    return { ...window, endMs: window.windowEndMs };
  }
  await sleep(phases.baselineMs);
  await apply(admin, scenario.fault);
  const faultStartMs = now();
  await sleep(phases.faultMs);
  const window = await endWindow();
  if (!scenario.recover) return { faultStartMs, ...window, endMs: window.windowEndMs };
  await apply(admin, scenario.recover);
  const recoveryStartMs = now();
  start();
  await sleep(phases.recoveryMs);
  const endMs = now();
  await loop.abort(); // the recovery's requests are not measured: no need to wait for them
  return { faultStartMs, ...window, recoveryStartMs, endMs };
}

serveWorker<ResilienceJob, RunMetrics>(async (job) => {
  const client = makeClient(job.system, job.keys, job.portkeyUrl);
  const admin = new MockAdmin(job.mockUrl);
  const origin = performance.now();
  const now = () => performance.now() - origin;
  const sampler = new StatsSampler(admin, now);
  const loop = new OpenLoop(client, now);
  try {
    await sampler.sample();
    sampler.start(SAMPLE_EVERY_MS);
    const timeline = await runPhases(job, loop, sampler, admin, now);
    await sampler.stop();
    const fairRate = (job.scenario.ratePerS * job.scenario.faulty.length) / job.keys.length;
    return runMetrics(loop.records, sampler.samples, job.scenario.faulty, fairRate, timeline);
  } finally {
    await client.close();
  }
});
