import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { nanosecondHistogram, summarize } from '../lib/histogram.js';
import { distModule } from '../lib/paths.js';
import { WorkerProcess } from '../lib/worker.js';
import type { VariantSummary } from './rounds.js';
import type { OverheadJob, OverheadJobResult } from './worker.js';

const JOB_TIMEOUT_MS = 1_800_000;

/**
 * `jobs` one after the other in each of `runs` fresh worker processes (`overhead/worker`), the runs one after the
 * other: each run's results, in the order of `jobs`. `onRun` sees each run's results as it ends (for a progress line).
 */
export async function inFreshWorkers(
  jobs: readonly OverheadJob[],
  runs: number,
  onRun: (index: number, results: OverheadJobResult[]) => void = () => {},
): Promise<OverheadJobResult[][]> {
  const all: OverheadJobResult[][] = [];
  for (let index = 0; index < runs; index++) {
    const worker = WorkerProcess.start<OverheadJob, OverheadJobResult>(
      `overhead-worker-${index + 1}`,
      distModule('overhead/worker'),
    );
    try {
      const results: OverheadJobResult[] = [];
      for (const job of jobs) results.push(await worker.run(job, JOB_TIMEOUT_MS));
      all.push(results);
      onRun(index, results);
    } finally {
      await worker.close();
    }
  }
  return all;
}

/** A variant's summaries from several runs as one (see `mergeRuns`). */
function mergeVariant(name: string, summaries: readonly VariantSummary[]): VariantSummary {
  const histogram = nanosecondHistogram();
  for (const summary of summaries) {
    if (summary.histogram === undefined) throw new Error(`${name}: a run returned no histogram to merge`);
    histogram.add(decodeFromCompressedBase64(summary.histogram));
  }
  const hedges = summaries.every((summary) => summary.hedges === undefined)
    ? {}
    : { hedges: summaries.reduce((sum, summary) => sum + (summary.hedges ?? 0), 0) };
  return {
    ...summarize(histogram, 1e3),
    slow: summaries.reduce((sum, summary) => sum + (summary.slow ?? 0), 0),
    ...hedges,
    rounds: summaries.flatMap((summary) => summary.rounds ?? []),
  };
}

/**
 * One job's results from runs in separate processes, as one result: for each variant, the percentiles of all the
 * runs' calls (their histograms merged: the job must ask for them, `histograms`), its calls, slow calls and hedges
 * summed, and its rounds in the order of the runs; without the histograms. Every run must have the same variants.
 */
export function mergeRuns(runs: readonly OverheadJobResult[]): OverheadJobResult {
  if (runs.length === 0) throw new Error('no runs to merge');
  const names = Object.keys(runs[0]);
  for (const run of runs)
    if (Object.keys(run).join() !== names.join())
      throw new Error(`runs with different clients: ${names.join(', ')} and ${Object.keys(run).join(', ')}`);
  return Object.fromEntries(
    names.map((name) => [
      name,
      mergeVariant(
        name,
        runs.map((run) => run[name]),
      ),
    ]),
  );
}
