import type { LoggerService } from '@nestjs/common';
import type { ChatCompletion, ChatCompletionRequest } from '../../chat.types.js';
import type { Clock, Rng } from '../../clock.js';
import type { PoolKeys } from '../../core/pool-keys.js';
import type { DirectCallResult } from '../../transport/direct-call.js';
import type { KeySchedule } from '../probing/key-schedule.js';
import { poolKeySchedule } from '../probing/pool-key-schedule.js';
import type { ResolvedSyntheticOptions } from '../../options/probe-options.js';
import { type ProbeSignal, probeSignal } from '../probing/probe-signal.js';
import { KeyStreaks, type StreakThresholds } from '../probing/probe-streak.js';
import { DailyBudget } from './daily-budget.js';

/** What synthetic traffic needs of the pool. */
export type SyntheticPool = Pick<
  PoolKeys,
  'snapshot' | 'keySnapshot' | 'upstreamModelOf' | 'callKeyDirectly' | 'disableKey' | 'markKeyDown' | 'observeLatency'
>;

/** Reads a synthetic answer like a probe, then its content: an empty or unexpected answer is a (grey) failure. */
export function syntheticSignal(
  result: Pick<DirectCallResult, 'ok' | 'outcome' | 'status' | 'body'>,
  expect: string,
): ProbeSignal {
  const signal = probeSignal(result);
  if (signal.kind !== 'success') return signal;
  const content = (result.body as Partial<ChatCompletion> | undefined)?.choices?.[0]?.message?.content;
  const matches =
    typeof content === 'string' && content.trim() !== '' && content.toLowerCase().includes(expect.toLowerCase());
  return matches ? signal : { kind: 'failure' };
}

/**
 * A tiny real completion per serving key on its own jittered timer, within a per-key daily budget: catches
 * grey failures (slow, empty or wrong answers) that `GET /models` misses. Each answer's latency feeds the
 * key's peak-EWMA (so latency-aware routing sees a slow key even without traffic); failures in a row mark
 * the key down like probe failures. Each key is asked under its own name for the model (its `modelMap`); keys that
 * do not serve the model, disabled keys and keys with an open breaker are skipped.
 */
export class SyntheticTraffic {
  private readonly streaks: KeyStreaks;
  private readonly budget: DailyBudget;
  private readonly schedule: KeySchedule;
  private readonly request: ChatCompletionRequest;

  constructor(
    private readonly pool: SyntheticPool,
    private readonly options: ResolvedSyntheticOptions,
    thresholds: StreakThresholds,
    jitter: number,
    clock: Clock,
    rng: Rng,
    logger: LoggerService | undefined,
  ) {
    this.request = {
      model: options.model,
      messages: [{ role: 'user', content: options.prompt }],
      max_tokens: options.maxTokens,
      stream: false,
    };
    this.streaks = new KeyStreaks(thresholds, pool, logger, 'synthetic completions');
    this.budget = new DailyBudget({ requests: options.dailyRequests, tokens: options.dailyBudgetTokens }, clock);
    this.schedule = poolKeySchedule(
      pool,
      { intervalMs: options.intervalMs, jitter, rng },
      {
        name: 'Synthetic completion on key',
        run: (id, signal) => this.complete(id, signal),
        forget: (id) => {
          this.streaks.forget(id);
          this.budget.forget(id);
        },
      },
      logger,
    );
  }

  start(): void {
    this.schedule.start();
  }

  /** Sends one synthetic completion to every serving key now, within budget. */
  runNow(): Promise<void> {
    return this.schedule.runNow();
  }

  stop(): Promise<void> {
    return this.schedule.stop();
  }

  private async complete(id: string, signal: AbortSignal): Promise<void> {
    const key = this.pool.keySnapshot(id);
    if (!key || key.state === 'disabled' || key.breaker === 'open' || !this.budget.allows(id)) return;
    const model = this.pool.upstreamModelOf(id, this.request.model);
    if (model === undefined) return;
    const body = model === this.request.model ? this.request : { ...this.request, model };
    const result = await this.pool.callKeyDirectly(
      id,
      { method: 'POST', path: '/chat/completions', body },
      this.options.timeoutMs,
      signal,
    );
    this.budget.spend(id, (result.body as Partial<ChatCompletion> | undefined)?.usage?.total_tokens ?? 0);
    const answer = syntheticSignal(result, this.options.expect);
    if (answer.kind === 'disable') {
      this.streaks.forget(id);
      this.pool.disableKey(id, answer.reason);
      return;
    }
    if (answer.kind !== 'neutral') this.pool.observeLatency(id, result.latencyMs);
    this.streaks.record(id, answer.kind);
  }
}
