import type { UpstreamError } from '../deepseek-pool.errors.js';
import type { KeySlot } from '../keys/key-slot.js';
import { type Call, attemptsCounted, inPriorities, recordAttempt } from './attempt-call.js';
import type { AttemptMeta } from '../call.types.js';
import type { HedgeSkip } from '../call.types.js';
import type { AttemptLoopDeps } from './attempt-loop.types.js';
import { classify } from './classify.js';
import { type Flight, type FlightDeps, type Landing, launchFlight } from './flight.js';
import { lostRaceLatencyMs } from './hedge-policy.js';
import type { HedgeTimer, Hedging } from './hedging.js';
import { Landings } from './landings.js';
import { type FailureDeps, onFailure } from './on-failure.js';
import { acquireAccount } from './pick-or-wait.js';

/** What one attempt (and its hedge) takes. */
export type AttemptDeps = FlightDeps &
  FailureDeps &
  Pick<AttemptLoopDeps, 'router' | 'hedging' | 'maxAttempts' | 'metrics' | 'events'>;

/** What the hedge timer posts when the hedge delay has passed. */
const HEDGE_DUE = Symbol('hedge-due');

/** The answer of a call, or the failure the call retries after. */
export type AttemptResult<T> = { data: T; meta: AttemptMeta } | { error: UpstreamError };

/**
 * The attempt step: sends `call` to `slot` and waits for the first of the attempts in the air to answer, sending a
 * hedge to another key when `hedge` and the hedge delay passes first. The first answer wins and any other attempt is
 * aborted as the loser (never a failure of its key); a failure goes through the on-failure step and, once no attempt
 * is left in the air, comes back for the loop to retry.
 */
export async function runAttempt<T>(
  call: Call<T>,
  slot: KeySlot,
  hedge: boolean,
  deps: AttemptDeps,
): Promise<AttemptResult<T>> {
  const landings = new Landings<Landing<T> | typeof HEDGE_DUE>();
  const primary = launchFlight(call, slot, false, deps, landings.post);
  const inAir = [primary];
  const hedging = hedge ? deps.hedging : undefined;
  let timer: HedgeTimer | undefined = hedging?.timer(call.latencyClass, primary.startMs, () =>
    landings.post(HEDGE_DUE),
  );
  let raced = false;
  try {
    // Never empty at the top: the primary is in the air until it lands, and the last one to land returns.
    for (;;) {
      const next = await landings.next();
      if (next === HEDGE_DUE) {
        timer = undefined;
        const sending = hedging && sendHedge(call, primary, hedging, deps, landings.post);
        const second = sending instanceof Promise ? await sending : sending;
        if (second) {
          inAir.push(second);
          raced = true;
        }
        continue;
      }
      inAir.splice(inAir.indexOf(next.flight), 1);
      if ('data' in next) {
        for (const loser of inAir.splice(0)) lose(call, loser, next.flight, deps);
        return succeed(call, next.flight, next.data, deps, raced ? primary.slot : undefined);
      }
      const error = onFailure(call, next.flight, next.error, deps);
      if (inAir.length === 0) return { error };
    }
  } finally {
    timer?.cancel();
    for (const flight of inAir) abandon(flight);
  }
}

/**
 * Sends a hedge for `primary` to another key (another account first) when the pool allows one now; undefined when
 * not (`hedge.skipped` says why). Like a pick, at once when the store answers at once.
 */
function sendHedge<T>(
  call: Call<T>,
  primary: Flight,
  hedging: Hedging,
  deps: AttemptDeps,
  onLand: (landing: Landing<T>) => void,
): Flight | undefined | Promise<Flight | undefined> {
  const elapsedMs = deps.clock.now() - primary.startMs;
  // The primary is past the time an answer was expected: it is at least this slow.
  if (elapsedMs > primary.slot.latency.value) primary.slot.latency.observe(elapsedMs);
  const send = (slot: KeySlot | HedgeSkip): Flight | undefined => {
    if (typeof slot === 'string') {
      deps.events.emit('hedge.skipped', { keyId: primary.slot.id, reason: slot });
      deps.metrics?.hedgeSkip?.({ model: call.model ?? '', reason: slot, stream: call.stream });
      return undefined;
    }
    deps.events.emit('hedge', { fromKeyId: primary.slot.id, keyId: slot.id, afterMs: elapsedMs });
    deps.metrics?.hedge?.({ model: call.model ?? '', keyId: slot.id, stream: call.stream });
    return launchFlight(call, slot, true, deps, onLand);
  };
  const slot = hedgeKey(call, primary.slot, hedging, deps);
  return slot instanceof Promise ? slot.then(send) : send(slot);
}

/** The key a hedge of an attempt on `busy` goes to, its account place taken and the hedge budget spent; or why none. */
function hedgeKey(
  call: Call<unknown>,
  busy: KeySlot,
  hedging: Hedging,
  deps: AttemptDeps,
): KeySlot | HedgeSkip | Promise<KeySlot | HedgeSkip> {
  const attemptsLeft = deps.maxAttempts - attemptsCounted(call.trace) - 1;
  const vetoed = hedging.skip(attemptsLeft, call.deadlineMs - deps.clock.now(), call.latencyClass, busy);
  if (vetoed) return vetoed;
  const ctx = deps.eligibility.refresh();
  const other = (slot: KeySlot): boolean =>
    slot !== busy && !call.tried.has(slot) && inPriorities(call.options.priorities, slot);
  const otherAccount = (slot: KeySlot): boolean => other(slot) && slot.config.account !== busy.config.account;
  const slot =
    deps.router.pick(call.model, call.tried, ctx, call.options.affinityKey, otherAccount) ??
    deps.router.pick(call.model, call.tried, ctx, call.options.affinityKey, other);
  if (slot === undefined) return 'no-candidate';
  const spend = (acquired: boolean): KeySlot | HedgeSkip => {
    if (!acquired) return 'account-limit';
    if (hedging.spend()) return slot;
    deps.eligibility.store.releaseAccount(slot.config.account);
    return 'budget';
  };
  const acquired = acquireAccount(deps.eligibility.store, slot, ctx);
  return typeof acquired === 'boolean' ? spend(acquired) : acquired.then(spend);
}

/**
 * The answer of `flight`, with its attempt recorded; when a hedge had been sent for the first attempt, on `raced`, the
 * race decided.
 */
function succeed<T>(
  call: Call<T>,
  flight: Flight,
  data: T,
  deps: AttemptDeps,
  raced: KeySlot | undefined,
): { data: T; meta: AttemptMeta } {
  const { slot } = flight;
  const nowMs = deps.clock.now();
  const latencyMs = nowMs - flight.startMs;
  slot.latency.observe(latencyMs, nowMs);
  slot.consecutiveRateLimits = 0;
  deps.hedging?.recordAnswer(call.latencyClass, latencyMs, nowMs);
  if (raced) deps.hedging?.recordRace(raced, flight.hedge, nowMs);
  recordAttempt(call, deps.metrics, {
    keyId: slot.id,
    outcome: 'success',
    latencyMs,
    ...(flight.hedge ? { hedge: true as const } : {}),
  });
  return { data, meta: { keyId: slot.id, attempts: call.trace.length, trace: call.trace } };
}

/** Aborts the attempt that lost the race to `winner`: recorded as lost, never as a failure of its key. */
function lose<T>(call: Call<T>, loser: Flight, winner: Flight, deps: AttemptDeps): void {
  const { slot } = loser;
  const latencyMs = deps.clock.now() - loser.startMs;
  // Only a hedged call has two attempts in the air, so only it has a loser.
  const delayMs = deps.hedging?.delayMs(call.latencyClass);
  const sample = delayMs === undefined ? undefined : lostRaceLatencyMs(latencyMs, delayMs, slot.latency.value);
  if (sample !== undefined) slot.latency.observe(sample);
  abandon(loser);
  recordAttempt(call, deps.metrics, {
    keyId: slot.id,
    outcome: 'lost',
    latencyMs,
    ...(loser.hedge ? { hedge: true as const } : {}),
  });
  const won = winner.hedge ? 'hedge' : 'primary';
  deps.metrics?.hedgeWin?.({ model: call.model ?? '', winner: won, stream: call.stream });
  deps.events.emit('hedge.won', { keyId: winner.slot.id, loserKeyId: slot.id, winner: won });
}

/** Aborts an attempt still in the air that no one waits for any more: not its key's fault. */
function abandon(flight: Flight): void {
  flight.abandoned = true;
  flight.control.cancel();
  if (flight.failedWith) flight.endSpan({ error: flight.failedWith, action: classify(flight.failedWith.outcome) });
}
