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
import { type FailureDeps, onFailure } from './on-failure.js';
import { acquireAccount } from './pick-or-wait.js';

/** What one attempt (and its hedge) takes. */
export type AttemptDeps = FlightDeps &
  FailureDeps &
  Pick<AttemptLoopDeps, 'router' | 'hedging' | 'maxAttempts' | 'metrics' | 'events'>;

/** The answer of a call, or the failure the call retries after. */
export type AttemptResult<T> = { data: T; meta: AttemptMeta } | { error: UpstreamError };

/**
 * The attempt step: sends `call` to `slot` and waits for the first of the attempts in the air to answer, sending a
 * hedge to another key when `hedge` and the hedge delay passes first. The first answer wins and any other attempt is
 * aborted as the loser (never a failure of its key); a failure goes through the on-failure step and, once no attempt
 * is left in the air, comes back for the loop to retry.
 */
export function runAttempt<T>(
  call: Call<T>,
  slot: KeySlot,
  hedge: boolean,
  deps: AttemptDeps,
): Promise<AttemptResult<T>> {
  return new Promise((resolve, reject) => new AttemptRace(call, slot, hedge, deps, resolve, reject));
}

/**
 * One attempt step in the air, from its construction, which sends the primary: the primary and at most one hedge.
 * What lands is handled as it comes, in its order: no promise per wait, and the step's own promise settles in the turn
 * of the landing that decides it. While a hedge waits for a remote store to give it a key, landings are held and
 * handled after it.
 */
class AttemptRace<T> {
  /** Created with the primary in it: an empty list grows by 17 slots at its first push. */
  private readonly inAir: Flight[];
  private timer: HedgeTimer | undefined;
  /** The primary's key, once a hedge raced it. */
  private raced: KeySlot | undefined;
  private settled = false;
  private held: Landing<T>[] | undefined;

  constructor(
    private readonly call: Call<T>,
    slot: KeySlot,
    hedge: boolean,
    private readonly deps: AttemptDeps,
    private readonly resolve: (result: AttemptResult<T>) => void,
    private readonly reject: (thrown: unknown) => void,
  ) {
    const primary = launchFlight(call, slot, false, deps, this.land);
    this.inAir = [primary];
    const hedging = hedge ? deps.hedging : undefined;
    this.timer = hedging?.timer(call.latencyClass, primary.startMs, () => this.hedgeDue(primary, hedging));
  }

  private readonly land = (landing: Landing<T>): void => {
    if (this.held === undefined) this.handle(landing);
    else this.held.push(landing);
  };

  private handle(next: Landing<T>): void {
    if (this.settled) return;
    const { call, deps, inAir } = this;
    // The last one in the air takes the landed one's place (a splice would build an array of the one removed).
    const index = inAir.indexOf(next.flight);
    if (index >= 0) {
      inAir[index] = inAir[inAir.length - 1];
      inAir.pop();
    }
    try {
      if ('data' in next) {
        for (const loser of inAir) lose(call, loser, next.flight, deps);
        inAir.length = 0;
        this.settle(succeed(call, next.flight, next.data, deps, this.raced));
        return;
      }
      const error = onFailure(call, next.flight, next.error, deps);
      if (inAir.length === 0) this.settle({ error });
    } catch (thrown) {
      this.fail(thrown);
    }
  }

  /** The hedge delay passed: a hedge goes out if the pool allows one now (like a pick, at once from a local store). */
  private hedgeDue(primary: Flight, hedging: Hedging): void {
    this.timer = undefined;
    if (this.settled) return;
    let sending: Flight | undefined | Promise<Flight | undefined>;
    try {
      sending = sendHedge(this.call, primary, hedging, this.deps, this.land);
    } catch (thrown) {
      this.fail(thrown);
      return;
    }
    if (!(sending instanceof Promise)) {
      this.launched(primary, sending);
      return;
    }
    this.held = [];
    sending.then(
      (second) => {
        this.launched(primary, second);
        const held = this.held ?? [];
        this.held = undefined;
        for (const landing of held) this.handle(landing);
      },
      (thrown: unknown) => {
        this.held = undefined;
        this.fail(thrown);
      },
    );
  }

  private launched(primary: Flight, second: Flight | undefined): void {
    if (second === undefined) return;
    this.inAir.push(second);
    this.raced = primary.slot;
  }

  private settle(result: AttemptResult<T>): void {
    this.end();
    this.resolve(result);
  }

  private fail(thrown: unknown): void {
    this.end();
    this.reject(thrown);
  }

  /** The step is decided: no hedge any more, and whatever is still in the air is abandoned. */
  private end(): void {
    this.settled = true;
    this.timer?.cancel();
    this.timer = undefined;
    for (const flight of this.inAir) abandon(flight);
    this.inAir.length = 0;
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
