import type { Clock, Rng } from '../clock.js';
import {
  type AttemptRecord,
  AttemptsExhaustedError,
  DeadlineExceededError,
  InvalidRequestError,
  NoAvailableKeyError,
  RequestAbortedError,
  UpstreamError,
} from '../deepseek-pool.errors.js';
import type { AttemptMeta } from '../call.types.js';
import type { HedgeSkip, PoolEvents } from '../deepseek-pool.events.js';
import type { KeySlot } from '../keys/key-slot.js';
import { failureLatencyMs } from '../keys/peak-ewma.js';
import type { PoolMetricsRecorder } from '../metrics/metrics-recorder.js';
import type { EligibilityContext } from '../routing/eligibility.js';
import type { Redactor } from '../redaction/redactor.js';
import type { Router, Unavailability } from '../routing/router.js';
import { type AttemptFailure, type CallTrace, NOOP_CALL } from './call-trace.js';
import { AttemptControl } from './attempt-control.js';
import { backoffMs } from './backoff.js';
import { classify, isKeyFault } from './classify.js';
import { lostRaceLatencyMs } from './hedge-policy.js';
import { HEDGE_DUE, type HedgeTimer, type Hedging } from './hedging.js';
import { type ActionContext, applyAction } from './outcome-actions.js';
import type { RetryBudget } from './retry-budget.js';
import { SlotReleases } from './slot-releases.js';

/** What one call asks of the loop. */
export interface CallOptions {
  signal?: AbortSignal;
  /** Overall deadline for this call, ms (default: the pool's `timeouts.requestMs`). */
  timeoutMs?: number;
  /**
   * Session or user key: calls with the same key stick to one account's keys (prompt-cache affinity). Overrides the
   * pool's `affinity`.
   */
  affinityKey?: string;
  /** Key priorities (tiers) this call may use; default: every tier. */
  tiers?: readonly number[];
  /** `false`: never hedge this call (e.g. a request that must not run twice). Default: the pool's `hedging.enabled`. */
  hedge?: boolean;
}

/**
 * A loop run that continues a broken stream: every attempt is a retry (spent from the budget), `after` is the
 * failure it follows, keys of `avoid` (the broken key's account) are picked only when no other is eligible, and
 * only keys `accepts` takes are picked at all.
 */
export interface ContinuationRun {
  after: UpstreamError;
  avoid: readonly KeySlot[];
  accepts: (slot: KeySlot) => boolean;
}

/** What the loop takes of one run beyond the caller's options. */
export interface RunOptions extends CallOptions {
  continuing?: ContinuationRun;
  /**
   * The latency class of the call beyond its model and streaming (e.g. its `max_tokens` class): hedge delays are per
   * class.
   */
  latencyClass?: string;
}

export interface AttemptLoopDeps {
  router: Router;
  eligibility: EligibilityContext & { refresh(): EligibilityContext };
  actions: ActionContext;
  budget: RetryBudget;
  clock: Clock;
  rng: Rng;
  events: PoolEvents;
  metrics?: PoolMetricsRecorder;
  /** Hedged requests; none when undefined. */
  hedging?: Hedging;
  maxAttempts: number;
  requestTimeoutMs: number;
  attemptTimeoutMs: number;
  maxWaitForKeyMs: number;
  backoff: { baseMs: number; maxMs: number };
  /** Redacts every failure's text before it leaves an attempt. */
  redactor: Redactor;
}

/**
 * One attempt on one key: resolves with the answer, or calls `commit(answer)` early and keeps running (a stream
 * commits at its first content and settles when it ends). Throws UpstreamError or anything the control maps.
 * Until it commits, any failure fails over to another key; after, the key stays busy until the attempt settles.
 */
export type AttemptFn<T> = (slot: KeySlot, control: AttemptControl, commit: (answer: T) => void) => Promise<T | void>;

/** What one run of the loop carries from attempt to attempt. */
interface Call<T> {
  model: string | undefined;
  options: RunOptions;
  stream: boolean;
  attempt: AttemptFn<T>;
  /** The call's telemetry: each attempt's span. */
  tracer: CallTrace;
  deadlineMs: number;
  tried: Set<KeySlot>;
  trace: AttemptRecord[];
  /** Hedge delays are per class: stream or not, model, and the caller's class. */
  latencyClass: string;
}

/**
 * One attempt in the air. `landed` resolves (never rejects) at its answer (a stream: its first content) or its failure.
 */
interface Flight<T> {
  slot: KeySlot;
  control: AttemptControl;
  /** Sent as a hedge (not the call's first attempt on this turn). */
  hedge: boolean;
  startMs: number;
  accountInFlightAtSend: number;
  /** `error`: an UpstreamError, or a local failure as thrown (see AttemptControl.failure). */
  landed: Promise<{ flight: Flight<T>; data: T } | { flight: Flight<T>; error: unknown }>;
  /** It answered (a stream: it committed). */
  answered: boolean;
  /** Aborted because another attempt answered first or the call ended. */
  abandoned: boolean;
  /** Set once the attempt failed. */
  failedWith?: UpstreamError;
  /**
   * Ends the attempt's span (once): a failure before the answer ends it when classified or abandoned, so it carries the
   * action.
   */
  endSpan(failure?: AttemptFailure): void;
}

/**
 * The attempt loop: deadline, retry budget, never the same key twice while another is eligible,
 * backoff only while no key is eligible, and classify() deciding what each failure does.
 */
export class AttemptLoop {
  private readonly releases = new SlotReleases();

  constructor(private readonly deps: AttemptLoopDeps) {}

  async run<T>(
    model: string | undefined,
    options: RunOptions,
    stream: boolean,
    attempt: AttemptFn<T>,
    tracer: CallTrace = NOOP_CALL,
  ): Promise<{ data: T; meta: AttemptMeta }> {
    const { clock, budget, router } = this.deps;
    const startedMs = clock.now();
    const timeoutMs = options.timeoutMs ?? this.deps.requestTimeoutMs;
    const deadlineMs = startedMs + timeoutMs;
    const waitUntilMs = Math.min(deadlineMs, startedMs + this.deps.maxWaitForKeyMs);
    const continuation = options.continuing;
    const tried = new Set<KeySlot>(continuation?.avoid);
    const accepts = pickable(options.tiers, continuation?.accepts);
    const trace: AttemptRecord[] = [];
    const call: Call<T> = {
      model,
      options,
      stream,
      attempt,
      tracer,
      deadlineMs,
      tried,
      trace,
      latencyClass: `${stream ? 'stream' : 'chat'}|${model ?? ''}|${options.latencyClass ?? ''}`,
    };
    let lastError: UpstreamError | undefined = continuation?.after;
    let waits = 0;
    if (!continuation) {
      budget.recordRequest();
      this.deps.hedging?.recordRequest();
    }
    const hedged = !continuation && options.hedge !== false && this.deps.hedging?.settings.enabled === true;

    for (;;) {
      if (options.signal?.aborted) throw new RequestAbortedError(trace);
      if (clock.now() >= deadlineMs) throw new DeadlineExceededError(timeoutMs, trace);
      if (attemptsCounted(trace) >= this.deps.maxAttempts)
        throw this.exhausted(model, lastError!, trace, 'max attempts reached');
      const ctx = this.deps.eligibility.refresh();
      const slot = router.pick(model, tried, ctx, options.affinityKey, accepts);
      if (slot === undefined) {
        const why = router.unavailability(model, ctx, accepts);
        // A saturated key frees a slot as soon as one of its calls ends: wait for a release (or a short backoff, for
        // slots other replicas hold), whatever the cooldowns say.
        const saturated = why.reasons.saturated !== undefined;
        const sleepMs = saturated
          ? backoffMs(++waits, this.deps.rng, this.deps.backoff)
          : (why.retryAfterMs ?? backoffMs(++waits, this.deps.rng, this.deps.backoff));
        if (why.retryAfterMs === undefined && !saturated) throw this.noKey(model, why, trace);
        if (clock.now() + sleepMs > waitUntilMs) throw this.noKey(model, why, trace);
        await this.releases.wait(Math.max(1, sleepMs), options.signal);
        continue;
      }
      if ((trace.length > 0 || continuation) && !budget.tryWithdraw())
        throw this.exhausted(model, lastError!, trace, 'retry budget spent');
      const acquiring = this.acquire(slot, ctx);
      if (!(typeof acquiring === 'boolean' ? acquiring : await acquiring)) {
        tried.add(slot);
        continue;
      }
      const outcome = await this.fly(call, this.launch(call, slot, false), hedged);
      if ('data' in outcome) return outcome;
      lastError = outcome.error;
    }
  }

  /**
   * Takes a place in the key's account (its concurrency limit, shared across replicas); false when it is full. A
   * store that answers at once is not awaited: the attempt starts (and reserves its tokens) in the same turn as its
   * pick, so the calls of a burst each see the picks before them (awaiting let a whole burst pick on the same state).
   */
  private acquire(slot: KeySlot, ctx: EligibilityContext): boolean | Promise<boolean> {
    return this.deps.eligibility.store.tryAcquireAccount(slot.config.account, ctx.accountLimit(slot.config.account));
  }

  /**
   * Waits for the first of the attempts in the air to answer, sending a hedge when `hedge` and the hedge delay
   * passes first. The first answer wins and any other attempt is aborted as the loser (never a failure of its key);
   * a failure is classified as usual and, once no attempt is left in the air, returned for the loop to retry.
   */
  private async fly<T>(
    call: Call<T>,
    primary: Flight<T>,
    hedge: boolean,
  ): Promise<{ data: T; meta: AttemptMeta } | { error: UpstreamError }> {
    const inAir = [primary];
    let timer: HedgeTimer | undefined = hedge
      ? this.deps.hedging!.timer(call.latencyClass, primary.startMs)
      : undefined;
    let failure: UpstreamError | undefined;
    try {
      while (inAir.length > 0) {
        // While the hedge timer runs, only the primary is in the air.
        const next = timer
          ? await Promise.race([primary.landed, timer.due])
          : inAir.length === 1
            ? await inAir[0].landed
            : await Promise.race(inAir.map((f) => f.landed));
        if (next === HEDGE_DUE) {
          timer = undefined;
          const second = await this.hedge(call, primary);
          if (second) inAir.push(second);
          continue;
        }
        inAir.splice(inAir.indexOf(next.flight), 1);
        if ('data' in next) {
          for (const loser of inAir.splice(0)) this.lose(call, loser, next.flight);
          return this.succeed(call, next.flight, next.data);
        }
        failure = this.fail(call, next.flight, next.error);
      }
      return { error: failure! };
    } finally {
      timer?.cancel();
      for (const flight of inAir) this.abandon(flight);
    }
  }

  /** One attempt on `slot`, in the air until it answers (or commits) or fails; the key stays busy until it settles. */
  private launch<T>(call: Call<T>, slot: KeySlot, hedge: boolean): Flight<T> {
    const { clock, eligibility } = this.deps;
    const span = call.tracer.attempt(slot, call.options.continuing !== undefined);
    const control = new AttemptControl(
      clock,
      call.options.signal,
      Math.min(clock.now() + this.deps.attemptTimeoutMs, call.deadlineMs),
      call.deadlineMs,
      this.deps.redactor,
      span,
    );
    let spanOpen = true;
    const endSpan = (failure?: AttemptFailure): void => {
      if (spanOpen) span.end(failure);
      spanOpen = false;
    };
    const flight = {
      slot,
      control,
      hedge,
      startMs: clock.now(),
      accountInFlightAtSend: eligibility.store.accountInFlight(slot.config.account),
      answered: false,
      abandoned: false,
      endSpan,
    } as Flight<T>;
    slot.inFlight += 1;
    let running!: Promise<T | void>;
    const answered = new Promise<T>((resolve, reject) => {
      // Failures reach the breaker already classified, so timeouts, resets and empty bodies count against the key
      // (and local failures, left as thrown, never do).
      running = slot.breaker.run(() =>
        call
          .attempt(slot, control, resolve)
          .catch((thrown: unknown) => Promise.reject(control.failure(thrown, slot.id))),
      );
      running.then((answer) => resolve(answer as T), reject);
    });
    const release = (): void => {
      control.dispose();
      slot.inFlight -= 1;
      eligibility.store.releaseAccount(slot.config.account);
      this.releases.notify();
    };
    running.then(
      () => {
        release();
        endSpan();
      },
      (thrown: unknown) => {
        const error = control.failure(thrown, slot.id);
        if (!(error instanceof UpstreamError)) {
          // A local failure is not the key's: no penalty; the loop hands it back to the caller as thrown.
          release();
          endSpan();
          return;
        }
        flight.failedWith = error;
        // A committed stream that breaks later counts against its key's latency too (its breaker saw the failure):
        // a penalty from the key's own estimate, not the stream's length.
        if (flight.answered && isKeyFault(error)) slot.latency.observe(failureLatencyMs(0, slot.latency.value));
        release();
        if (flight.answered) endSpan({ error });
        else if (flight.abandoned) endSpan({ error, action: classify(error.outcome) });
      },
    );
    flight.landed = answered.then(
      (data) => {
        flight.answered = true;
        span.answered();
        return { flight, data };
      },
      (thrown: unknown) => ({ flight, error: control.failure(thrown, slot.id) }),
    );
    return flight;
  }

  /**
   * Sends a hedge for `primary` to another key (another account first) when the pool allows one now; undefined when
   * not.
   */
  private async hedge<T>(call: Call<T>, primary: Flight<T>): Promise<Flight<T> | undefined> {
    const { clock, router } = this.deps;
    const hedging = this.deps.hedging!;
    const elapsedMs = clock.now() - primary.startMs;
    // The primary is past the time an answer was expected: it is at least this slow.
    if (elapsedMs > primary.slot.latency.value) primary.slot.latency.observe(elapsedMs);
    const skip = (reason: HedgeSkip): undefined =>
      void this.deps.events.emit('hedge.skipped', { keyId: primary.slot.id, reason });
    const attemptsLeft = this.deps.maxAttempts - attemptsCounted(call.trace) - 1;
    const vetoed = hedging.skip(attemptsLeft, call.deadlineMs - clock.now(), call.latencyClass);
    if (vetoed) {
      skip(vetoed);
      return;
    }
    const ctx = this.deps.eligibility.refresh();
    const other = (slot: KeySlot): boolean =>
      slot !== primary.slot && !call.tried.has(slot) && inTiers(call.options.tiers, slot);
    const otherAccount = (slot: KeySlot): boolean => other(slot) && slot.config.account !== primary.slot.config.account;
    const slot =
      router.pick(call.model, call.tried, ctx, call.options.affinityKey, otherAccount) ??
      router.pick(call.model, call.tried, ctx, call.options.affinityKey, other);
    if (slot === undefined) {
      skip('no-candidate');
      return;
    }
    const acquiring = this.acquire(slot, ctx);
    if (!(typeof acquiring === 'boolean' ? acquiring : await acquiring)) {
      skip('account-limit');
      return;
    }
    if (!hedging.spend()) {
      this.deps.eligibility.store.releaseAccount(slot.config.account);
      skip('budget');
      return;
    }
    this.deps.events.emit('hedge', { fromKeyId: primary.slot.id, keyId: slot.id, afterMs: elapsedMs });
    this.deps.metrics?.hedge?.({ model: call.model ?? '', keyId: slot.id, stream: call.stream });
    return this.launch(call, slot, true);
  }

  /** The answer of `flight`, with its attempt recorded. */
  private succeed<T>(call: Call<T>, flight: Flight<T>, data: T): { data: T; meta: AttemptMeta } {
    const { slot } = flight;
    const latencyMs = this.deps.clock.now() - flight.startMs;
    slot.latency.observe(latencyMs);
    slot.consecutiveRateLimits = 0;
    this.deps.hedging?.recordAnswer(call.latencyClass, latencyMs);
    call.trace.push({
      keyId: slot.id,
      outcome: 'success',
      latencyMs,
      ...(flight.hedge ? { hedge: true as const } : {}),
    });
    this.deps.metrics?.attempt({
      keyId: slot.id,
      model: call.model ?? '',
      outcome: 'success',
      latencyMs,
      stream: call.stream,
    });
    return { data, meta: { keyId: slot.id, attempts: call.trace.length, trace: call.trace } };
  }

  /** Aborts the attempt that lost the race to `winner`: recorded as lost, never as a failure of its key. */
  private lose<T>(call: Call<T>, loser: Flight<T>, winner: Flight<T>): void {
    const { slot } = loser;
    const latencyMs = this.deps.clock.now() - loser.startMs;
    const sample = lostRaceLatencyMs(latencyMs, this.deps.hedging!.delayMs(call.latencyClass), slot.latency.value);
    if (sample !== undefined) slot.latency.observe(sample);
    this.abandon(loser);
    call.trace.push({ keyId: slot.id, outcome: 'lost', latencyMs, ...(loser.hedge ? { hedge: true as const } : {}) });
    this.deps.metrics?.attempt({
      keyId: slot.id,
      model: call.model ?? '',
      outcome: 'lost',
      latencyMs,
      stream: call.stream,
    });
    this.deps.metrics?.hedgeWin?.({
      model: call.model ?? '',
      winner: winner.hedge ? 'hedge' : 'primary',
      stream: call.stream,
    });
    this.deps.events.emit('hedge.won', {
      keyId: winner.slot.id,
      loserKeyId: slot.id,
      winner: winner.hedge ? 'hedge' : 'primary',
    });
  }

  /** Aborts an attempt still in the air that no one waits for any more: not its key's fault. */
  private abandon<T>(flight: Flight<T>): void {
    flight.abandoned = true;
    flight.control.cancel();
    if (flight.failedWith) flight.endSpan({ error: flight.failedWith, action: classify(flight.failedWith.outcome) });
  }

  /** Records a failed attempt and applies what classify() says; throws when the call must end here. */
  private fail<T>(call: Call<T>, flight: Flight<T>, error: unknown): UpstreamError {
    const { slot, control } = flight;
    const { trace } = call;
    const latencyMs = this.deps.clock.now() - flight.startMs;
    if (!(error instanceof UpstreamError)) {
      // This process failed (a bug, a memory guard): back to the caller as thrown, no retry, the key untouched.
      flight.endSpan();
      trace.push({ keyId: slot.id, outcome: 'local', latencyMs });
      this.deps.metrics?.attempt({
        keyId: slot.id,
        model: call.model ?? '',
        outcome: 'local',
        latencyMs,
        stream: call.stream,
      });
      throw error;
    }
    trace.push({
      keyId: slot.id,
      outcome: error.outcome.kind,
      status: error.status,
      latencyMs,
      ...(flight.hedge ? { hedge: true as const } : {}),
    });
    this.deps.metrics?.attempt({
      keyId: slot.id,
      model: call.model ?? '',
      outcome: error.outcome.kind,
      status: error.status,
      latencyMs,
      stream: call.stream,
    });
    const action = classify(error.outcome);
    if (action.type === 'breaker-failure') slot.latency.observe(failureLatencyMs(latencyMs, slot.latency.value));
    if (action.type !== 'abort' && action.type !== 'return' && action.type !== 'local-failure')
      applyAction(action, slot, this.deps.actions, flight.accountInFlightAtSend);
    flight.endSpan({ error, action });
    if (action.type === 'abort') {
      if (control.callerDeadlinePassed)
        throw new DeadlineExceededError(call.options.timeoutMs ?? this.deps.requestTimeoutMs, trace);
      throw new RequestAbortedError(trace);
    }
    if (action.type === 'return' || action.type === 'local-failure') throw withAttempts(error, trace);
    call.tried.add(slot);
    // The call moves on to another key: a retry, or the hedge still in the air.
    this.deps.events.emit('retry', { fromKeyId: slot.id, attempt: trace.length, reason: error.outcome.kind });
    this.deps.metrics?.retry(slot.id, error.outcome.kind);
    return error;
  }

  private noKey(
    model: string | undefined,
    why: Unavailability,
    trace: AttemptRecord[],
  ): NoAvailableKeyError | InvalidRequestError {
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

  private exhausted(
    model: string | undefined,
    lastError: UpstreamError,
    trace: AttemptRecord[],
    why: string,
  ): AttemptsExhaustedError {
    const ctx = this.deps.eligibility.refresh();
    const retryAfterMs = this.deps.router.unavailability(model, ctx).retryAfterMs;
    return new AttemptsExhaustedError(
      `All attempts failed (${why}): ${lastError.message}`,
      lastError,
      retryAfterMs,
      trace,
    );
  }
}

/**
 * Attempts that count against `maxAttempts`: hedges do not (the hedge budget bounds them), so a hedge never costs a
 * call a retry.
 */
function attemptsCounted(trace: readonly AttemptRecord[]): number {
  let count = 0;
  for (const record of trace) if (!record.hedge) count++;
  return count;
}

function withAttempts(error: UpstreamError, trace: AttemptRecord[]): UpstreamError {
  return new UpstreamError(error.message, error.outcome, error.keyId, error.body, trace);
}

/**
 * The keys a run may pick: those of the call's `tiers` (every tier when unset) that the continuation, if any, accepts.
 */
function pickable(
  tiers: readonly number[] | undefined,
  accepts: ((slot: KeySlot) => boolean) | undefined,
): ((slot: KeySlot) => boolean) | undefined {
  if (tiers === undefined) return accepts;
  return (slot) => inTiers(tiers, slot) && (accepts === undefined || accepts(slot));
}

/** True when the call may use the slot's tier (no `tiers`: every tier). */
function inTiers(tiers: readonly number[] | undefined, slot: KeySlot): boolean {
  return tiers === undefined || tiers.includes(slot.priority);
}
