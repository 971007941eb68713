import type { LoggerService } from '@nestjs/common';
import type { PoolKeys } from '../../core/pool-keys.js';

/** A key as its prober sees it: down or not, and the current run of probe results. */
export interface ProbeStreak {
  down: boolean;
  successes: number;
  failures: number;
}

/** What the prober does after a probe: open the key's breaker (`mark-down`), report it `recovered`, or nothing. */
export type StreakAction = 'mark-down' | 'recovered' | undefined;

export interface StreakThresholds {
  unhealthyAfter: number;
  healthyAfter: number;
}

export const INITIAL_STREAK: Readonly<ProbeStreak> = Object.freeze({ down: false, successes: 0, failures: 0 });

/**
 * The prober's consecutive-success/failure state machine. Pure.
 * - up: `unhealthyAfter` failures in a row -> down, `mark-down`;
 * - down: every failure -> `mark-down` again (keeps the breaker from admitting traffic through half-open while
 *   probes still fail); `healthyAfter` successes in a row -> up, `recovered` (the breaker's own half-open
 *   probes then bring the key back, by the same rules as after traffic failures);
 * - neutral answers (429, endpoint missing) change nothing.
 */
export function nextStreak(
  streak: ProbeStreak,
  result: 'success' | 'failure' | 'neutral',
  t: StreakThresholds,
): { streak: ProbeStreak; action: StreakAction } {
  if (result === 'neutral') return { streak, action: undefined };
  if (result === 'failure') {
    const failures = streak.failures + 1;
    const down = streak.down || failures >= t.unhealthyAfter;
    return { streak: { down, successes: 0, failures }, action: down ? 'mark-down' : undefined };
  }
  const successes = streak.successes + 1;
  if (streak.down && successes >= t.healthyAfter) return { streak: { ...INITIAL_STREAK }, action: 'recovered' };
  return { streak: { down: streak.down, successes, failures: 0 }, action: undefined };
}

/** The streak of every key, applied to the pool: marks keys down and logs transitions (by id only). */
export class KeyStreaks {
  private readonly streaks = new Map<string, ProbeStreak>();

  constructor(
    private readonly thresholds: StreakThresholds,
    private readonly pool: Pick<PoolKeys, 'markKeyDown'>,
    private readonly logger: LoggerService | undefined,
    /** What is counted, for logs: "probes", "synthetic completions". */
    private readonly noun: string,
  ) {}

  /** Counts one result of key `id`; opens its breaker when the streak says so. */
  record(id: string, result: 'success' | 'failure' | 'neutral'): void {
    const before = this.streaks.get(id) ?? INITIAL_STREAK;
    const { streak, action } = nextStreak(before, result, this.thresholds);
    this.streaks.set(id, streak);
    if (action === 'mark-down') {
      this.pool.markKeyDown(id);
      if (!before.down)
        this.logger?.warn(`Key ${id} failed ${this.thresholds.unhealthyAfter} ${this.noun} in a row: marked down`);
    } else if (action === 'recovered') {
      this.logger?.log(
        `Key ${id} passed ${this.thresholds.healthyAfter} ${this.noun} in a row: it returns through half-open`,
      );
    }
  }

  /** Drops what is known of key `id` (it was disabled or removed). */
  forget(id: string): void {
    this.streaks.delete(id);
  }
}
