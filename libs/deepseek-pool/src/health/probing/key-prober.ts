import type { LoggerService } from '@nestjs/common';
import type { Clock, Rng } from '../../clock.js';
import type { PoolKeys } from '../../core/pool-keys.js';
import type { DirectCallResult } from '../../transport/direct-call.js';
import type { KeySnapshot } from '../../pool-snapshot.js';
import type { DisableReason } from '../../resilience/outcome.js';
import type { KeySchedule } from './key-schedule.js';
import { poolKeySchedule } from './pool-key-schedule.js';
import type { ResolvedProbeOptions } from '../../options/probe-options.js';
import { balanceAvailable, hasBalanceEndpoint, probeSignal, readmitDelayMs } from './probe-signal.js';
import { KeyStreaks } from './probe-streak.js';

/** Re-admissions of a key disabled for 402 on an upstream without a balance endpoint. */
interface Readmission {
  /** Re-admissions since the key last served with a closed breaker. */
  count: number;
  /** No re-admission before this (epoch ms). */
  notBeforeMs: number;
}

/** What the prober needs of the pool: its key set's probe and state methods. */
export type ProbedPool = Pick<
  PoolKeys,
  'snapshot' | 'keySnapshot' | 'callKeyDirectly' | 'baseUrlOf' | 'disableKey' | 'enableKey' | 'markKeyDown'
>;

/**
 * Probes every key on its own jittered timer with free calls, outside the attempt loop:
 * - `GET /models` feeds a success/failure streak: `unhealthyAfter` failures in a row mark the key down (its
 *   breaker opens); it comes back through the breaker's half-open, like after traffic failures;
 * - 401 / 403 disable the key (revoked / forbidden): it stays out until an operator calls `enableKey` / `replaceKey`;
 * - where `GET /user/balance` exists, an empty account disables the key and a top-up enables it again;
 *   elsewhere a key disabled for 402 is re-admitted through half-open when `/models` answers, with a doubling wait.
 */
export class KeyProber {
  private readonly streaks: KeyStreaks;
  private readonly readmissions = new Map<string, Readmission>();
  private readonly schedule: KeySchedule;

  constructor(
    private readonly pool: ProbedPool,
    private readonly options: ResolvedProbeOptions,
    private readonly clock: Clock,
    rng: Rng,
    private readonly logger: LoggerService | undefined,
  ) {
    this.streaks = new KeyStreaks(options, pool, logger, 'probes');
    this.schedule = poolKeySchedule(
      pool,
      { intervalMs: options.intervalMs, jitter: options.jitter, rng },
      {
        name: 'Probe of key',
        run: (id, signal) => this.probe(id, signal),
        forget: (id) => {
          this.streaks.forget(id);
          this.readmissions.delete(id);
        },
      },
      logger,
    );
  }

  start(): void {
    this.schedule.start();
  }

  /** Probes every key now (at most one probe in flight per key still holds). */
  checkNow(): Promise<void> {
    return this.schedule.runNow();
  }

  stop(): Promise<void> {
    return this.schedule.stop();
  }

  private async probe(id: string, signal: AbortSignal): Promise<void> {
    const key = this.pool.keySnapshot(id);
    if (!key) return;
    if (key.state === 'disabled') return this.recover(key, signal);
    if (key.breaker === 'closed') this.readmissions.delete(id);
    const models = probeSignal(await this.call(id, '/models', signal));
    if (models.kind === 'disable') {
      this.disable(id, models.reason);
      return;
    }
    if (models.kind === 'success' && this.hasBalance(id)) {
      const balance = await this.balance(id, signal);
      if (balance !== 'available' && balance !== 'unknown') {
        this.disable(id, balance);
        return;
      }
    }
    this.streaks.record(id, models.kind);
  }

  /** A disabled key: only an empty account can come back on its own. */
  private async recover(key: KeySnapshot, signal: AbortSignal): Promise<void> {
    if (key.disabledReason !== 'insufficient-balance') return;
    if (this.hasBalance(key.id)) {
      const balance = await this.balance(key.id, signal);
      if (balance === 'available') this.enable(key.id, 'its balance is available again');
      else if (balance === 'revoked' || balance === 'forbidden') this.disable(key.id, balance);
      return;
    }
    const readmission = this.readmissions.get(key.id) ?? { count: 0, notBeforeMs: 0 };
    if (this.clock.now() < readmission.notBeforeMs) return;
    const models = probeSignal(await this.call(key.id, '/models', signal));
    if (models.kind === 'disable' && models.reason !== 'insufficient-balance') {
      this.disable(key.id, models.reason);
      return;
    }
    if (models.kind !== 'success') return;
    const count = readmission.count + 1;
    this.readmissions.set(key.id, {
      count,
      notBeforeMs: this.clock.now() + readmitDelayMs(readmission.count, this.options.intervalMs),
    });
    this.enable(key.id, 'it answers again (no balance endpoint: re-admitted through half-open)');
    this.pool.markKeyDown(key.id);
  }

  /** `GET /user/balance`: available, unknown (no answer, or not a balance), or why to disable the key. */
  private async balance(id: string, signal: AbortSignal): Promise<'available' | 'unknown' | DisableReason> {
    const result = await this.call(id, '/user/balance', signal);
    const answer = probeSignal(result);
    if (answer.kind === 'disable') return answer.reason;
    const available = result.ok ? balanceAvailable(result.body) : undefined;
    return available === undefined ? 'unknown' : available ? 'available' : 'insufficient-balance';
  }

  private disable(id: string, reason: DisableReason): void {
    this.streaks.forget(id);
    this.pool.disableKey(id, reason);
  }

  private enable(id: string, why: string): void {
    this.logger?.log(`Key ${id} enabled by the prober: ${why}`);
    this.pool.enableKey(id);
  }

  private call(id: string, path: string, signal: AbortSignal): Promise<DirectCallResult> {
    return this.pool.callKeyDirectly(id, { method: 'GET', path }, this.options.timeoutMs, signal);
  }

  private hasBalance(id: string): boolean {
    return hasBalanceEndpoint(this.pool.baseUrlOf(id), this.options.balance);
  }
}
