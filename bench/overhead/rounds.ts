import type { Histogram } from 'hdr-histogram-js';
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
}

/** `count` calls over `concurrency` lanes; each call's duration (ns) goes into `histogram` when given. */
async function round(
  variant: Variant,
  concurrency: number,
  count: number,
  histogram: Histogram | undefined,
): Promise<void> {
  let remaining = count;
  const lane = async () => {
    while (remaining > 0) {
      remaining -= 1;
      const start = process.hrtime.bigint();
      const end = await variant.call();
      histogram?.recordValue(Number(end - start));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}

/** A variant's latency in µs over the measured rounds, and the hedges it sent in them (the pool's variants). */
export type VariantSummary = LatencySummary & { hedges?: number };

/**
 * Interleaved rounds: A, B, C, then B, C, A... so drift (heat, GC, the machine's other work) hits every
 * variant alike.
 */
export async function interleave(
  variants: readonly Variant[],
  plan: RoundPlan,
): Promise<Record<string, VariantSummary>> {
  const histograms = variants.map(() => nanosecondHistogram());
  const hedges = variants.map(() => 0);
  for (let r = 0; r < plan.warmupRounds + plan.rounds; r++) {
    const recording = r >= plan.warmupRounds;
    for (let i = 0; i < variants.length; i++) {
      const index = (r + i) % variants.length;
      const variant = variants[index];
      const hedgesBefore = variant.hedges?.() ?? 0;
      await round(variant, plan.concurrency, plan.perRound, recording ? histograms[index] : undefined);
      if (recording) hedges[index] += (variant.hedges?.() ?? 0) - hedgesBefore;
    }
  }
  return Object.fromEntries(
    variants.map((variant, index) => [
      variant.name,
      { ...summarize(histograms[index], 1e3), ...(variant.hedges ? { hedges: hedges[index] } : {}) },
    ]),
  );
}
