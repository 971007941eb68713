import {
  AttemptsExhaustedError,
  DeadlineExceededError,
  InvalidRequestError,
  NoAvailableKeyError,
  RequestAbortedError,
  type UpstreamError,
} from '../deepseek-pool.errors.js';
import type { KeySlot } from '../keys/key-slot.js';
import type { EligibilityContext } from '../routing/eligibility.js';
import type { Unavailability } from '../routing/router.js';
import type { AttemptLoopDeps } from './attempt-loop.js';
import { type Call, attemptsCounted } from './attempt-call.js';
import { backoffMs } from './backoff.js';
import type { SlotReleases } from './slot-releases.js';

/** What picking a key takes: routing, the retry budget, and a place to wait for a release. */
export type PickDeps = Pick<
  AttemptLoopDeps,
  'router' | 'eligibility' | 'budget' | 'clock' | 'rng' | 'backoff' | 'maxAttempts'
> & { releases: SlotReleases };

/**
 * How long to wait before picking again when no key is eligible; undefined when none is expected back by itself.
 * A saturated key frees a slot as soon as one of its calls ends: a backoff step (a release wakes the wait earlier),
 * whatever the cooldowns say; otherwise the earliest recovery `why` knows of. Pure but for `backoff`.
 */
export function keyWaitMs(why: Unavailability, backoff: () => number): number | undefined {
  if (why.reasons.saturated !== undefined) return backoff();
  return why.retryAfterMs;
}

/**
 * The pick-or-wait step: the next key for `call`, with a place taken in its account. Before each pick it ends the
 * call when the caller aborted, the deadline passed or the attempts ran out; with no eligible key it waits (within
 * `maxWaitForKeyMs`) or throws why none can serve; a retry spends from the retry budget.
 */
export async function pickOrWait(call: Call<unknown>, deps: PickDeps): Promise<KeySlot> {
  const { clock, router } = deps;
  for (;;) {
    // A retry follows a failure (a continuation, the break it continues): every failure sets `lastError`.
    const after = call.lastError;
    if (call.options.signal?.aborted) throw new RequestAbortedError(call.trace);
    if (clock.now() >= call.deadlineMs) throw new DeadlineExceededError(call.timeoutMs, call.trace);
    if (after && attemptsCounted(call.trace) >= deps.maxAttempts)
      throw exhausted(call, after, deps, 'max attempts reached');
    const ctx = deps.eligibility.refresh();
    const slot = router.pick(call.model, call.tried, ctx, call.options.affinityKey, call.accepts);
    if (slot === undefined) {
      const why = router.unavailability(call.model, ctx, call.accepts);
      const sleepMs = keyWaitMs(why, () => backoffMs(++call.waits, deps.rng, deps.backoff));
      if (sleepMs === undefined || clock.now() + sleepMs > call.waitUntilMs) throw noKey(call, why);
      await deps.releases.wait(Math.max(1, sleepMs), call.options.signal);
      continue;
    }
    if (after && !deps.budget.tryWithdraw()) throw exhausted(call, after, deps, 'retry budget spent');
    if (await acquireAccount(deps.eligibility.store, slot, ctx)) return slot;
    call.tried.add(slot);
  }
}

/** Takes a place in the key's account (its concurrency limit, shared across replicas); false when it is full. */
export async function acquireAccount(
  store: AttemptLoopDeps['eligibility']['store'],
  slot: KeySlot,
  ctx: EligibilityContext,
): Promise<boolean> {
  const acquiring = store.tryAcquireAccount(slot.config.account, ctx.accountLimit(slot.config.account));
  return typeof acquiring === 'boolean' ? acquiring : await acquiring;
}

function noKey(call: Call<unknown>, why: Unavailability): NoAvailableKeyError | InvalidRequestError {
  const { model, trace } = call;
  if (why.serving === 0 && model !== undefined)
    return new InvalidRequestError('model', `"${model}" is not served by any key of this pool`);
  const reasons = Object.entries(why.reasons)
    .map(([reason, count]) => `${count} ${reason}`)
    .join(', ');
  return new NoAvailableKeyError(
    `No key can serve ${model === undefined ? 'requests' : `model "${model}"`} now (${reasons})`,
    why.retryAfterMs,
    why.rateLimited,
    trace,
  );
}

function exhausted(call: Call<unknown>, lastError: UpstreamError, deps: PickDeps, why: string): AttemptsExhaustedError {
  const retryAfterMs = deps.router.unavailability(call.model, deps.eligibility.refresh()).retryAfterMs;
  return new AttemptsExhaustedError(
    `All attempts failed (${why}): ${lastError.message}`,
    lastError,
    retryAfterMs,
    call.trace,
  );
}
