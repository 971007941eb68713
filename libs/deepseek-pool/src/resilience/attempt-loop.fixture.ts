import { PoolEvents } from '../deepseek-pool.events.js';
import { type DeepSeekPoolOptions, resolveOptions } from '../deepseek-pool.options.js';
import { KeyRegistry } from '../keys/key-registry.js';
import type { KeySlot } from '../keys/key-slot.js';
import { Router } from '../routing/router.js';
import { createStrategy } from '../routing/strategies.js';
import { MemoryStateStore } from '../state/memory-state-store.js';
import { NOOP_CALL } from './call-trace.js';
import { type Call, newCall } from './attempt-call.js';
import type { AttemptFn, AttemptLoopDeps, RunOptions } from './attempt-loop.types.js';
import { Hedging } from './hedging.js';
import { RetryBudget } from './retry-budget.js';
import { SlotReleases } from './slot-releases.js';

export const MODEL = 'deepseek-v4-flash';

/**
 * Test fixture: the attempt loop's dependencies wired as the pool wires them, on real keys (local breakers, no
 * transport), a memory store and the system clock (fake under jest's fake timers). Round-robin routing, hedging on a
 * fixed 100 ms delay. `close()` stops the breakers' timers.
 */
export function loopHarness(options: Partial<DeepSeekPoolOptions> & Pick<DeepSeekPoolOptions, 'keys'>) {
  const resolved = resolveOptions({ strategy: 'round-robin', logger: false, hedging: { fixedMs: 100 }, ...options });
  const { clock, rng } = resolved;
  const registry = new KeyRegistry(resolved.breaker, resolved.latencyDecayMs, clock, () => undefined);
  for (const key of resolved.keys) registry.add(key);
  const router = new Router<KeySlot>(createStrategy(resolved.strategy), rng, resolved.breaker.resetTimeoutMs);
  router.setSlots(registry.all);
  const store = new MemoryStateStore();
  const events = new PoolEvents();
  const deps: AttemptLoopDeps & { releases: SlotReleases } = {
    router,
    eligibility: {
      nowMs: clock.now(),
      store,
      accountLimit: () => Infinity,
      refresh() {
        this.nowMs = clock.now();
        return this;
      },
    },
    actions: {
      store,
      clock,
      rng,
      cooldown: resolved.cooldown,
      backoff: resolved.backoff,
      events,
      slotsOfAccount: (account) => registry.all.filter((slot) => slot.config.account === account),
      learnAccountLimit: () => undefined,
    },
    budget: new RetryBudget(resolved.retryBudget, clock),
    clock,
    rng,
    events,
    hedging: resolved.hedging.enabled ? new Hedging(resolved.hedging, clock) : undefined,
    maxAttempts: resolved.maxAttempts,
    requestTimeoutMs: resolved.timeouts.requestMs,
    attemptTimeoutMs: resolved.timeouts.attemptMs,
    maxWaitForKeyMs: resolved.maxWaitForKeyMs,
    backoff: resolved.backoff,
    redactor: resolved.redactor,
    releases: new SlotReleases(),
  };
  const slot = (id: string): KeySlot => {
    const found = registry.get(id);
    if (found === undefined) throw new Error(`no key ${id}`);
    return found;
  };
  /** A fresh call of `attempt` (by default one that never settles) with `run` options. */
  const call = <T = string>(run: RunOptions = {}, attempt: AttemptFn<T> = () => new Promise<T>(() => undefined)) =>
    newCall(MODEL, run, false, attempt, NOOP_CALL, {
      nowMs: clock.now(),
      requestTimeoutMs: deps.requestTimeoutMs,
      maxWaitForKeyMs: deps.maxWaitForKeyMs,
    }) satisfies Call<T>;
  return { deps, store, events, registry, slot, call, close: () => registry.shutdown() };
}

/** Test fixture: `count` keys `k0`.. on one account each (`a0`..), or on `account(i)`. */
export function keysOf(count: number, fields: (i: number) => { account?: string; priority?: number } = () => ({})) {
  return Array.from({ length: count }, (_, i) => ({
    id: `k${i}`,
    apiKey: `sk-loop-${String(i).padStart(16, '0')}`,
    account: `a${i}`,
    ...fields(i),
  }));
}
