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
import type { AttemptLoopDeps } from './attempt-loop.types.js';
import { type Call, attemptsCounted, markTried } from './attempt-call.js';
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
 * `maxWaitForKeyMs`) or throws why none can serve; a retry spends from the retry budget. Answers at once (no promise)
 * when the store does: the attempt then starts, and reserves its tokens, in the same turn as its pick, so the calls
 * of a burst each see the picks before them.
 */
export function pickOrWait(call: Call<unknown>, deps: PickDeps): KeySlot | Promise<KeySlot> {
  for (;;) {
    const picked = pickOnce(call, deps);
    if (typeof picked === 'number') return waitThenPick(call, deps, picked);
    const { slot, acquired } = picked;
    if (acquired === true) return slot;
    if (acquired !== false) return acquired.then((ok) => (ok ? slot : retryWithout(call, deps, slot)));
    markTried(call, slot);
  }
}

/** The account place of `slot` was gone: another key. */
function retryWithout(call: Call<unknown>, deps: PickDeps, slot: KeySlot): KeySlot | Promise<KeySlot> {
  markTried(call, slot);
  return pickOrWait(call, deps);
}

async function waitThenPick(call: Call<unknown>, deps: PickDeps, sleepMs: number): Promise<KeySlot> {
  await deps.releases.wait(Math.max(1, sleepMs), call.options.signal);
  return pickOrWait(call, deps);
}

/**
 * One pick: a key and the store's answer to taking a place in its account, or how long to wait before the next pick.
 * Throws when the call ends here.
 */
function pickOnce(
  call: Call<unknown>,
  deps: PickDeps,
): { slot: KeySlot; acquired: boolean | Promise<boolean> } | number {
  const { clock, router } = deps;
  // A retry follows a failure (a continuation, the break it continues): every failure sets `lastError`.
  const after = call.lastError;
  if (call.options.signal?.aborted) throw new RequestAbortedError(call.trace);
  // One clock reading for the deadline and the pick.
  const ctx = deps.eligibility.refresh();
  if (ctx.nowMs >= call.deadlineMs) throw new DeadlineExceededError(call.timeoutMs, call.trace);
  if (after && attemptsCounted(call.trace) >= deps.maxAttempts)
    throw exhausted(call, after, deps, 'max attempts reached');
  const slot = router.pick(call.model, call.tried, ctx, call.options.affinityKey, call.accepts);
  if (slot === undefined) {
    const why = router.unavailability(call.model, ctx, call.accepts);
    const sleepMs = keyWaitMs(why, () => backoffMs(++call.waits, deps.rng, deps.backoff));
    if (sleepMs === undefined || clock.now() + sleepMs > call.waitUntilMs) throw noKey(call, why);
    return sleepMs;
  }
  if (after && !deps.budget.tryWithdraw()) throw exhausted(call, after, deps, 'retry budget spent');
  return { slot, acquired: acquireAccount(deps.eligibility.store, slot, ctx) };
}

/**
 * Takes a place in the key's account (its concurrency limit, shared across replicas); false when it is full. The
 * store's own answer: at once from a local store, a promise from a remote one.
 */
export function acquireAccount(
  store: AttemptLoopDeps['eligibility']['store'],
  slot: KeySlot,
  ctx: EligibilityContext,
): boolean | Promise<boolean> {
  return store.tryAcquireAccount(slot.config.account, ctx.accountLimit(slot.config.account));
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
