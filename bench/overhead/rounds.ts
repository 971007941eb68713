import { type Histogram, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { DEFAULT_SEED, mulberry32, type Rng } from 'nestjs-deepseek-pool-mock';
import { type LatencySummary, nanosecondHistogram, summarize } from '../lib/histogram.js';
import type { Variant } from './variants.js';

export interface RoundPlan {
  concurrency: number;
  /** Measured rounds per variant. */
  rounds: number;
  /** Rounds run first and not recorded (JIT, connection set-up). */
  warmupRounds: number;
  /** Calls per round and variant. */
  perRound: number;
  /**
   * Return each variant's histogram of its measured calls in its summary (`VariantSummary.histogram`): runs made in
   * separate processes are merged with it (`mergeRuns`).
   */
  histograms?: boolean;
}

/** A call at least this long counts as slow (`VariantSummary.slow`), ns: several times a loopback round trip. */
export const SLOW_CALL_NS = 1_000_000;

/**
 * `count` calls over `concurrency` lanes; each call's duration (ns) goes into `histogram` when given. Resolves with
 * the number of calls that took SLOW_CALL_NS or more.
 */
async function round(
  variant: Variant,
  concurrency: number,
  count: number,
  histogram: Histogram | undefined,
): Promise<number> {
  let remaining = count;
  let slow = 0;
  const lane = async () => {
    while (remaining > 0) {
      remaining -= 1;
      const start = process.hrtime.bigint();
      const ns = Number((await variant.call()) - start);
      histogram?.recordValue(ns);
      if (ns >= SLOW_CALL_NS) slow += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return slow;
}

/** The median and p99 of one measured round's calls, µs. */
export interface RoundPercentiles {
  p50: number;
  p99: number;
}

/**
 * A variant's latency in µs over the measured rounds, its calls of SLOW_CALL_NS or more (`slow`; absent in older
 * results), the hedges it sent in them (the pool's variants), each measured round's own percentiles, in the order
 * of the rounds (`rounds`; absent in older results): the variants' round `r` ran one after the other; and when the
 * plan asks for it, the histogram of its measured calls (ns, `encodeIntoCompressedBase64`), which results do not keep.
 */
export type VariantSummary = LatencySummary & {
  slow?: number;
  hedges?: number;
  rounds?: RoundPercentiles[];
  histogram?: string;
};

/**
 * The order in which `count` variants run in one round: a random permutation drawn from `rng` (Fisher-Yates). A fixed
 * cyclic order (A, B, C, then B, C, A) gives every variant the same predecessor in every round, and with it the garbage
 * and the cold caches that one leaves behind; shuffled, each variant follows each other one in some rounds.
 */
export function roundOrder(count: number, rng: Rng): number[] {
  const order = Array.from({ length: count }, (_, index) => index);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/**
 * Interleaved rounds: every variant once per round, in an order shuffled anew each round (`roundOrder`, seeded: the
 * same orders in every run), so drift (heat, GC, the machine's other work) and what the variant before left behind hit
 * every variant alike.
 */
export async function interleave(
  variants: readonly Variant[],
  plan: RoundPlan,
  rng: Rng = mulberry32(DEFAULT_SEED),
): Promise<Record<string, VariantSummary>> {
  const histograms = variants.map(() => nanosecondHistogram());
  const perRound = variants.map((): RoundPercentiles[] => []);
  const roundHistogram = nanosecondHistogram();
  const hedges = variants.map(() => 0);
  const slow = variants.map(() => 0);
  for (let r = 0; r < plan.warmupRounds + plan.rounds; r++) {
    const recording = r >= plan.warmupRounds;
    for (const index of roundOrder(variants.length, rng)) {
      const variant = variants[index];
      const hedgesBefore = variant.hedges?.() ?? 0;
      roundHistogram.reset();
      const slowCalls = await round(variant, plan.concurrency, plan.perRound, recording ? roundHistogram : undefined);
      if (!recording) continue;
      histograms[index].add(roundHistogram);
      const { p50, p99 } = summarize(roundHistogram, 1e3);
      perRound[index].push({ p50, p99 });
      slow[index] += slowCalls;
      hedges[index] += (variant.hedges?.() ?? 0) - hedgesBefore;
    }
  }
  return Object.fromEntries(
    variants.map((variant, index) => [
      variant.name,
      {
        ...summarize(histograms[index], 1e3),
        slow: slow[index],
        ...(variant.hedges ? { hedges: hedges[index] } : {}),
        rounds: perRound[index],
        ...(plan.histograms ? { histogram: encodeIntoCompressedBase64(histograms[index]) } : {}),
      },
    ]),
  );
}
