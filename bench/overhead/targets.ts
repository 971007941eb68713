import { median, medianInterval } from '../lib/median.js';
import { num, signed } from '../lib/markdown.js';
import type { OverheadRun } from './overhead.bench.js';
import type { RoundPercentiles, VariantSummary } from './rounds.js';

/**
 * A target's verdict: `met` or `missed` when the interval of its figure lies on one side of the limit, `undecided`
 * when the limit is inside it (the machine's noise is larger than the distance to the limit).
 */
export type TargetVerdict = 'met' | 'missed' | 'undecided';

/** One overhead target, with its limit and the measured figures as printed. */
export interface OverheadTarget {
  name: string;
  limit: string;
  /**
   * The verdict's figure: the median of the runs' medians of their rounds' differences (of the rounds' differences
   * for results from one process; pooled, for results without rounds).
   */
  measured: string;
  /** About 95 % of the figure's interval, from the ranks of the runs' medians (empty for results without rounds). */
  interval: string;
  /** The same figure for the A/A control (the direct call against itself): the noise of the estimate. */
  control: string;
  /** The difference of the percentiles over all the measured calls. */
  pooled: string;
  /** Each run's figure, in the order of the runs (empty for results from one process). */
  perRun: string[];
  verdict: TargetVerdict;
}

/** Added p50 at concurrency 64, as a share of the direct call's p50 (the limit). */
const CONCURRENCY_64_LIMIT = 0.1;

const DIRECT = 'undici';
const CONTROL = 'undici-aa';
const POOL = 'pool';

/**
 * A client's added latency in each measured round of a run, by percentile: its round percentile minus the direct
 * call's (`direct`, by default the undici client) in the same round (`share`: divided by the direct call's); undefined
 * for a run recorded without its rounds. Rounds run the clients one after the other, so each difference compares calls
 * made within a second or so of each other, and a busy spell of the machine moves one round's difference, not the
 * whole estimate.
 */
export function pairedAdded(
  run: Pick<OverheadRun, 'latencyUs'>,
  client: string,
  percentile: keyof RoundPercentiles,
  share = false,
  direct = DIRECT,
): number[] | undefined {
  // A client the run did not measure has no entry.
  const rounds = (run.latencyUs[client] as VariantSummary | undefined)?.rounds;
  const directRounds = (run.latencyUs[direct] as VariantSummary | undefined)?.rounds;
  if (!rounds || !directRounds || rounds.length === 0 || rounds.length !== directRounds.length) return undefined;
  return rounds.map((round, r) => {
    const added = round[percentile] - directRounds[r][percentile];
    return share ? added / directRounds[r][percentile] : added;
  });
}

/**
 * A figure and its verdict against `limit`: the median of `values`, the interval of about 95 % from their ranks, and
 * the verdict of that interval. `values` are the medians of runs, each in a fresh process (`runMedians`; with 6 runs,
 * the interval goes from their lowest to their highest): unlike the interval from one run's rounds, this one holds the
 * spread between runs. Undefined with no values.
 */
export function acrossRuns(
  values: readonly number[],
  limit: number,
): { median: number; interval: [number, number]; verdict: TargetVerdict } | undefined {
  const interval = medianInterval(values);
  if (interval === undefined) return undefined;
  return { median: median(values), interval, verdict: judge(interval[0], interval[1], limit) };
}

/**
 * The values a target is judged on, from a client's paired differences (`pairedAdded`) over `runs` fresh processes
 * whose rounds come one run after the other: each run's median of its rounds' differences. With one run, the
 * differences themselves (rounds of one process, as in older results).
 */
export function runMedians(differences: readonly number[], runs: number): readonly number[] {
  if (runs <= 1) return differences;
  const size = differences.length / runs;
  if (!Number.isInteger(size)) throw new Error(`${differences.length} rounds do not split into ${runs} runs`);
  return Array.from({ length: runs }, (_, run) => median(differences.slice(run * size, (run + 1) * size)));
}

/** The verdict of a figure whose interval is `[low, high]` against an upper `limit`. */
export function judge(low: number, high: number, limit: number): TargetVerdict {
  if (high <= limit) return 'met';
  if (low > limit) return 'missed';
  return 'undecided';
}

/**
 * A target judged on the pool's paired differences, across the run's fresh processes (`runs`, see `runMedians`), or,
 * for results without rounds, on `pooled` (the difference over all calls) with no interval; printed by `format`.
 */
function target(
  name: string,
  limit: { value: number; text: string },
  pooled: { value: number; text: string },
  paired: (client: string) => number[] | undefined,
  format: (value: number) => string,
  runs: number,
): OverheadTarget {
  const differences = paired(POOL);
  const control = paired(CONTROL);
  const values = differences && runMedians(differences, runs);
  const figure = values && acrossRuns(values, limit.value);
  return {
    name,
    limit: limit.text,
    measured: format(figure ? figure.median : pooled.value),
    interval: figure ? `${format(figure.interval[0])} to ${format(figure.interval[1])}` : '',
    control: control ? format(median(runMedians(control, runs))) : '',
    pooled: pooled.text,
    perRun: values && runs > 1 ? values.map(format) : [],
    verdict: figure ? figure.verdict : judge(pooled.value, pooled.value, limit.value),
  };
}

const microseconds = (value: number) => `${signed(value)} µs`;
const percent = (value: number) => `${signed(value * 100)} %`;

/**
 * The targets of the non-streaming runs: added p50 and p99 at concurrency 1 (µs), and added p50 at concurrency 64 as
 * a share of the direct call's p50. Derived from the runs, so results written before a target existed get it too.
 */
export function overheadTargets(chat: readonly OverheadRun[]): OverheadTarget[] {
  const targets: OverheadTarget[] = [];
  const single = chat.find((run) => run.concurrency === 1);
  if (single)
    for (const [percentile, limitUs] of [
      ['p50', 20],
      ['p99', 100],
    ] as const)
      targets.push(
        target(
          `added ${percentile}, concurrency 1`,
          { value: limitUs, text: `<= ${limitUs} µs` },
          { value: single.added[percentile], text: microseconds(single.added[percentile]) },
          (client) => pairedAdded(single, client, percentile),
          microseconds,
          single.runs ?? 1,
        ),
      );
  const busy = chat.find((run) => run.concurrency === 64);
  const direct = busy?.latencyUs[DIRECT]?.p50;
  if (busy && direct !== undefined) {
    const share = busy.added.p50 / direct;
    targets.push(
      target(
        'added p50, concurrency 64',
        { value: CONCURRENCY_64_LIMIT, text: `<= ${num(CONCURRENCY_64_LIMIT * 100, 0)} % of direct` },
        { value: share, text: `${signed(busy.added.p50)} µs on ${num(direct)} (${percent(share)})` },
        (client) => pairedAdded(busy, client, 'p50', true),
        percent,
        busy.runs ?? 1,
      ),
    );
  }
  return targets;
}
