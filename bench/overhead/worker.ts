import { serveWorker } from '../lib/worker.js';
import { type RoundPlan, type VariantSummary, interleave } from './rounds.js';
import { type Target, VARIANTS, type VariantName } from './variants.js';

/** One overhead measurement, run in its own process (the mock is another). */
export interface OverheadJob extends RoundPlan {
  target: Target;
  variants: VariantName[];
}

/** Latency in µs (and hedges sent) by variant name. */
export type OverheadJobResult = Record<string, VariantSummary>;

serveWorker<OverheadJob, OverheadJobResult>(async (job) => {
  const variants = job.variants.map((name) => VARIANTS[name](job.target));
  try {
    return await interleave(variants, job);
  } finally {
    await Promise.all(variants.map((variant) => variant.close()));
  }
});
