import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { installCleanup, stopAll } from './lib/children.js';
import { discoverSuites } from './lib/discover.js';
import { gitCommit, machineInfo, oneMinuteLoad } from './lib/machine.js';
import { writeOutputs } from './lib/output.js';
import { BENCH_DIR, RUNS_DIR } from './lib/paths.js';
import type { BenchResults, SuiteRecord } from './lib/results.js';
import { checkOutputs } from './lib/smoke-check.js';
import { type BenchSuite, PROFILES, type ProfileName } from './lib/suite.js';

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

function options(): { profile: ProfileName; only?: string[]; out: string; merge: boolean } {
  const { values } = parseArgs({
    options: {
      profile: { type: 'string', default: 'quick' },
      only: { type: 'string' },
      out: { type: 'string' },
      merge: { type: 'boolean', default: false },
    },
  });
  const profile = values.profile as ProfileName;
  if (!PROFILES.includes(profile))
    throw new Error(`--profile must be one of ${PROFILES.join(', ')} (got "${values.profile}")`);
  const out = values.out ?? (profile === 'smoke' ? join(RUNS_DIR, 'smoke') : BENCH_DIR);
  return { profile, out, merge: values.merge, ...(values.only ? { only: values.only.split(',') } : {}) };
}

async function runSuite(suite: BenchSuite, profile: ProfileName): Promise<SuiteRecord> {
  const started = performance.now();
  const base = { id: suite.id, title: suite.title, order: suite.order };
  const durationS = () => Math.round(performance.now() - started) / 1000;
  const runDir = join(RUNS_DIR, profile, suite.id);
  await mkdir(runDir, { recursive: true });
  log(`${suite.id}: start (${profile})`);
  try {
    const result = await suite.run({ profile, runDir, log: (line) => log(`${suite.id}: ${line}`) });
    log(`${suite.id}: done in ${durationS()} s`);
    return { ...base, status: 'ok', durationS: durationS(), result };
  } catch (error) {
    log(`${suite.id}: FAILED: ${(error as Error).message}`);
    return { ...base, status: 'failed', durationS: durationS(), error: (error as Error).stack ?? String(error) };
  } finally {
    await stopAll();
  }
}

async function main(): Promise<number> {
  installCleanup();
  const { profile, only, out, merge } = options();
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  const { suites, skipped } = await discoverSuites(only);
  const records: SuiteRecord[] = [];
  for (const suite of suites) records.push(await runSuite(suite, profile));
  machine.loadAverage.end = oneMinuteLoad();
  const results: BenchResults = {
    schema: 1,
    profile,
    startedAt,
    durationS: Math.round(performance.now() - started) / 1000,
    commit: await gitCommit(),
    machine,
    suites: records,
    skippedModules: skipped,
  };
  // A merged run renders every suite of the results, not only those it ran.
  if (merge) await writeOutputs(out, await mergedInto(out, results), (await discoverSuites()).suites);
  else await writeOutputs(out, results, suites);
  log(`wrote ${join(out, 'results.json')} and RESULTS.md in ${results.durationS} s`);
  if (profile !== 'smoke') return records.every((r) => r.status === 'ok') ? 0 : 1;
  const problems = await checkOutputs(out, suites);
  for (const problem of problems) log(`smoke: ${problem}`);
  log(
    problems.length === 0
      ? `smoke: ok (${suites.length} suites, outputs well-formed)`
      : `smoke: ${problems.length} problem(s)`,
  );
  return problems.length === 0 ? 0 : 1;
}

/**
 * `--merge`: the suites of this run replace theirs in the results.json of `out` (the others keep the figures of their
 * own run), each marked with the profile, date and commit it ran at.
 */
async function mergedInto(out: string, run: BenchResults): Promise<BenchResults> {
  const whole = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as BenchResults;
  const ranAlone = { profile: run.profile, startedAt: run.startedAt, commit: run.commit };
  const fresh = new Map(run.suites.map((record) => [record.id, { ...record, ranAlone }]));
  return { ...whole, suites: [...whole.suites.filter((record) => !fresh.has(record.id)), ...fresh.values()] };
}

// process.exit: a library handle left open somewhere must not keep a finished run alive (children are killed on exit).
main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    log(`error: ${(error as Error).stack ?? String(error)}`);
    await stopAll();
    process.exit(1);
  },
);
