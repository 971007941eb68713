import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { KeyPatch } from 'nestjs-deepseek-pool-mock';
import { DIST_DIR } from '../lib/paths.js';

/** A run-time change of the mock, through its admin endpoint. */
export type MockChange = { key: string; patch: KeyPatch } | { account: string; balance: number };

/**
 * One resilience scenario (anchors.md "Scenarios every claim is measured on"). A run: healthy baseline,
 * `fault` applied, then `recover` applied (when the fault is one that ends), under an open-loop load of
 * `ratePerS` evenly spaced requests. Plain data, so the runner can hand it to a worker process.
 */
export interface ResilienceScenario {
  /** Number of the scenario in anchors.md. */
  anchor: number;
  id: string;
  title: string;
  /** What a good client does here (shown above the table). */
  expectation: string;
  /** Mock cast, repo-relative JSON path; every key of it is a key of every client. */
  cast: string;
  /** Extra keys whose base URL is a loopback port where nothing listens (connection refused). */
  refusedKeys?: string[];
  /** Offered requests per second. */
  ratePerS: number;
  /** Keys the fault hits: their traffic is watched (when it stops, when it comes back). */
  faulty: string[];
  /** Applied at the end of the baseline; empty: the cast itself is the condition, the whole run is measured. */
  fault: MockChange[];
  /** Applied at the end of the fault phase; absent: the fault lasts (revoked keys do not come back). */
  recover?: MockChange[];
  /** A ceiling on upstream attempts per request during the fault (anchors scenario 9: 1.2). */
  maxAttemptsPerRequest?: number;
}

const SCENARIO_DIR = join(DIST_DIR, 'resilience', 'scenarios');

/**
 * Every `*.scenario.js` module of resilience/scenarios (default export), by anchor number; `anchors` (e.g. from
 * BENCH_SCENARIOS=5,10) keeps only those.
 */
export async function loadScenarios(anchors?: readonly number[]): Promise<ResilienceScenario[]> {
  const files = (await readdir(SCENARIO_DIR)).filter((name) => name.endsWith('.scenario.js'));
  const modules = await Promise.all(
    files.map(
      (name) => import(pathToFileURL(join(SCENARIO_DIR, name)).href) as Promise<{ default: ResilienceScenario }>,
    ),
  );
  return modules
    .map((module) => module.default)
    .filter((scenario) => anchors === undefined || anchors.includes(scenario.anchor))
    .sort((a, b) => a.anchor - b.anchor || a.id.localeCompare(b.id));
}
