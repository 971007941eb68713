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
  await Promise.all(changes.map((change) => ('key' in change ? admin.setKey(change.key, change.patch) : admin.setBalance(change.account, change.balance))));
}

/** Baseline, fault, recovery (as the scenario has them), switching the mock's faults at the boundaries. */
async function runPhases(scenario: ResilienceScenario, phases: Phases, admin: MockAdmin, now: () => number): Promise<Timeline> {
  if (scenario.fault.length === 0) {
    await sleep(phases.baselineMs + phases.faultMs + phases.recoveryMs);
    return { endMs: now() };
  }
  await sleep(phases.baselineMs);
  await apply(admin, scenario.fault);
  const faultStartMs = now();
  await sleep(phases.faultMs);
  if (!scenario.recover) return { faultStartMs, endMs: now() };
  await apply(admin, scenario.recover);
  const faultEndMs = now();
  await sleep(phases.recoveryMs);
  return { faultStartMs, faultEndMs, endMs: now() };
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
    loop.start(job.scenario.ratePerS, REQUEST_DEADLINE_MS);
    const timeline = await runPhases(job.scenario, job.phases, admin, now);
    await loop.stop();
    await sampler.stop();
    const fairRate = (job.scenario.ratePerS * job.scenario.faulty.length) / job.keys.length;
    return runMetrics(loop.records, sampler.samples, job.scenario.faulty, fairRate, timeline);
  } finally {
    await client.close();
  }
});
