import type { ProfileName } from '../lib/suite.js';
import type { RoundPlan } from './rounds.js';

export interface OverheadSizes {
  /**
   * The targets' measurements: every plan, in order, in each of `runs` fresh worker processes; the targets are judged
   * across the runs (targets.ts), since one process's rounds leave out the spread between runs (bench/FINDINGS.md,
   * finding 1).
   */
  targets: { runs: number; plans: RoundPlan[] };
  /** The other non-streaming runs (the `openai` client's; the first plan for the send, wait and turn pairs). */
  chat: RoundPlan[];
  /** In-process runs over a stub transport (no network): the pool's own CPU per call. */
  inProcess: RoundPlan[];
  stream: RoundPlan[];
  /** Calls of `pool.chat` at concurrency 1 under `--cpu-prof`; 0 skips the profile. */
  profileCalls: number;
}

const plan = (concurrency: number, rounds: number, perRound: number, warmupRounds = 2): RoundPlan => ({
  concurrency,
  rounds,
  perRound,
  warmupRounds,
});

/** Rounds and calls per profile: the quick run keeps every figure, the full one gets steadier tails (more samples). */
export const OVERHEAD_SIZES: Record<ProfileName, OverheadSizes> = {
  smoke: {
    targets: { runs: 2, plans: [plan(1, 2, 40, 1), plan(64, 2, 128, 1)] },
    chat: [plan(1, 2, 40, 1), plan(64, 2, 128, 1)],
    inProcess: [plan(1, 2, 200, 1)],
    stream: [plan(1, 2, 20, 1), plan(64, 2, 128, 1)],
    profileCalls: 0,
  },
  quick: {
    targets: { runs: 2, plans: [plan(1, 3, 800, 1), plan(64, 2, 1_500, 1)] },
    chat: [plan(1, 6, 800, 1), plan(64, 3, 1_500, 1)],
    inProcess: [plan(1, 6, 4_000, 1)],
    stream: [plan(1, 6, 400, 1), plan(64, 3, 1_000, 1)],
    profileCalls: 30_000,
  },
  full: {
    // Many short rounds in each of 12 runs: a run's figure is the median of its rounds' differences, and the targets
    // are judged on the median of the runs' figures, with the interval from their ranks (see targets.ts).
    targets: { runs: 12, plans: [plan(1, 25, 1_000), plan(64, 50, 1_500)] },
    chat: [plan(1, 100, 1_000), plan(64, 200, 1_500)],
    inProcess: [plan(1, 20, 10_000)],
    stream: [plan(1, 20, 1_000), plan(64, 10, 3_000)],
    profileCalls: 300_000,
  },
};
