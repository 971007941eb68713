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
import type { PoolEvents } from '../deepseek-pool.events.js';
import type { KeySlot } from '../keys/key-slot.js';
import { failureLatencyMs } from '../keys/peak-ewma.js';
import type { PoolMetricsRecorder } from '../metrics/metrics-recorder.js';
import type { EligibilityContext } from '../routing/eligibility.js';
import type { Redactor } from '../redaction/redactor.js';
import type { Router, Unavailability } from '../routing/router.js';
import { type AttemptFailure, type CallTrace, NOOP_CALL } from '../telemetry/call-trace.js';
import { AttemptControl } from './attempt-control.js';
import { backoffMs } from './backoff.js';
import { classify } from './classify.js';
import { type ActionContext, applyAction } from './outcome-actions.js';
import type { Outcome } from './outcome.js';
import type { RetryBudget } from './retry-budget.js';
import { SlotReleases } from './slot-releases.js';

/** What one call asks of the loop. */
export interface CallOptions {
  signal?: AbortSignal;
  /** Overall deadline for this call, ms (default: the pool's `timeouts.requestMs`). */
  timeoutMs?: number;
  /** Session or user key: calls with the same key stick to one account's keys (prompt-cache affinity). Overrides the pool's `affinity`. */
  affinityKey?: string;
  /** Key priorities (tiers) this call may use; default: every tier. */
  tiers?: readonly number[];
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
}

/** One continuation of a broken stream, as the caller learns it. */
export interface ContinuationRecord {
  /** The key that continued the stream. */
  keyId: string;
  /** The key whose stream broke. */
  fromKeyId: string;
  /** Characters of content (and of reasoning) the caller had received when the stream broke: where it went on. */
  offset: number;
  reasoningOffset: number;
  /** What broke the stream. */
  reason: Outcome['kind'];
}

/** What the caller learns about how its answer was obtained. */
export interface AttemptMeta {
  /** Id of the key that served (never the key itself). */
  keyId: string;
  /** Upstream attempts made, the successful one included. */
  attempts: number;
  trace: AttemptRecord[];
  /** Set when the answer did not come fresh from the requested model: which degradation tier served it. */
  degraded?: 'cache' | 'model' | 'fallback';
  /** Streams only: each break after content that another key continued (see `continuation`). */
  continuations?: ContinuationRecord[];
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

/**
 * The attempt loop: deadline, retry budget, never the same key twice while another is eligible,
 * backoff only while no key is eligible, and classify() deciding what each failure does.
 */
export class AttemptLoop {
  private readonly releases = new SlotReleases();

  constructor(private readonly deps: AttemptLoopDeps) {}

  async run<T>(model: string | undefined, options: RunOptions, stream: boolean, attempt: AttemptFn<T>, call: CallTrace = NOOP_CALL): Promise<{ data: T; meta: AttemptMeta }> {
    const { clock, budget, router } = this.deps;
    const startedMs = clock.now();
    const timeoutMs = options.timeoutMs ?? this.deps.requestTimeoutMs;
    const deadlineMs = startedMs + timeoutMs;
    const waitUntilMs = Math.min(deadlineMs, startedMs + this.deps.maxWaitForKeyMs);
    const continuation = options.continuing;
    const tried = new Set<KeySlot>(continuation?.avoid);
    const accepts = pickable(options.tiers, continuation?.accepts);
    const trace: AttemptRecord[] = [];
    let lastError: UpstreamError | undefined = continuation?.after;
    let waits = 0;
    if (!continuation) budget.recordRequest();

    for (;;) {
      if (options.signal?.aborted) throw new RequestAbortedError(trace);
      if (clock.now() >= deadlineMs) throw new DeadlineExceededError(timeoutMs, trace);
      if (trace.length >= this.deps.maxAttempts) throw this.exhausted(model, lastError!, trace, 'max attempts reached');
      const ctx = this.deps.eligibility.refresh();
      const slot = router.pick(model, tried, ctx, options.affinityKey, accepts);
      if (slot === undefined) {
        const why = router.unavailability(model, ctx, accepts);
        // A saturated key frees a slot as soon as one of its calls ends: wait for a release (or a short backoff, for
        // slots other replicas hold), whatever the cooldowns say.
        const saturated = why.reasons.saturated !== undefined;
        const sleepMs = saturated ? backoffMs(++waits, this.deps.rng, this.deps.backoff) : (why.retryAfterMs ?? backoffMs(++waits, this.deps.rng, this.deps.backoff));
        if (why.retryAfterMs === undefined && !saturated) throw this.noKey(model, why, trace);
        if (clock.now() + sleepMs > waitUntilMs) throw this.noKey(model, why, trace);
        await this.releases.wait(Math.max(1, sleepMs), options.signal);
        continue;
      }
      if ((trace.length > 0 || continuation) && !budget.tryWithdraw()) throw this.exhausted(model, lastError!, trace, 'retry budget spent');
      const acquiring = this.deps.eligibility.store.tryAcquireAccount(slot.config.account, ctx.accountLimit(slot.config.account));
      const acquired = typeof acquiring === 'boolean' ? acquiring : await acquiring;
      if (!acquired) {
        tried.add(slot);
        continue;
      }
      const span = call.attempt(slot, continuation !== undefined);
      const control = new AttemptControl(clock, options.signal, Math.min(clock.now() + this.deps.attemptTimeoutMs, deadlineMs), deadlineMs, this.deps.redactor, span);
      const attemptStart = clock.now();
      const accountInFlightAtSend = this.deps.eligibility.store.accountInFlight(slot.config.account);
      slot.inFlight += 1;
      const release = (failure?: AttemptFailure): void => {
        control.dispose();
        slot.inFlight -= 1;
        this.deps.eligibility.store.releaseAccount(slot.config.account);
        this.releases.notify();
        span.end(failure);
      };
      let failure: AttemptFailure | undefined;
      let settled = false;
      let handedOver = false;
      try {
        let running!: Promise<T | void>;
        const answered = new Promise<T>((resolve, reject) => {
          // Failures reach the breaker already classified, so timeouts, resets and empty bodies count against the key
          // (and local failures, left as thrown, never do).
          running = slot.breaker.run(() => attempt(slot, control, resolve).catch((thrown: unknown) => Promise.reject(control.failure(thrown, slot.id))));
          running.then(
            () => (settled = true),
            () => (settled = true),
          );
          running.then((answer) => resolve(answer as T), reject);
        });
        const data = await answered;
        span.answered();
        if (!settled) {
          handedOver = true;
          running.then(
            () => release(),
            (thrown: unknown) => {
              const error = control.failure(thrown, slot.id);
              // A committed stream that breaks later counts against its key's latency too (its breaker saw the failure):
              // a penalty from the key's own estimate, not the stream's length. A local failure is not the key's.
              if (!(error instanceof UpstreamError)) return release();
              if (error.countsAsBreakerFailure) slot.latency.observe(failureLatencyMs(0, slot.latency.value));
              release({ error });
            },
          );
        }
        const latencyMs = clock.now() - attemptStart;
        slot.latency.observe(latencyMs);
        slot.consecutiveRateLimits = 0;
        trace.push({ keyId: slot.id, outcome: 'success', latencyMs });
        this.deps.metrics?.attempt({ keyId: slot.id, model: model ?? '', outcome: 'success', latencyMs, stream });
        return { data, meta: { keyId: slot.id, attempts: trace.length, trace } };
      } catch (thrown) {
        const error = control.failure(thrown, slot.id);
        const latencyMs = clock.now() - attemptStart;
        if (!(error instanceof UpstreamError)) {
          // This process failed (a bug, a memory guard): back to the caller as thrown, no retry, the key untouched.
          trace.push({ keyId: slot.id, outcome: 'local', latencyMs });
          this.deps.metrics?.attempt({ keyId: slot.id, model: model ?? '', outcome: 'local', latencyMs, stream });
          throw error;
        }
        trace.push({ keyId: slot.id, outcome: error.outcome.kind, status: error.status, latencyMs });
        this.deps.metrics?.attempt({ keyId: slot.id, model: model ?? '', outcome: error.outcome.kind, status: error.status, latencyMs, stream });
        const action = classify(error.outcome);
        failure = { error, action };
        if (action.type === 'abort') {
          if (control.callerDeadlinePassed) throw new DeadlineExceededError(timeoutMs, trace);
          throw new RequestAbortedError(trace);
        }
        if (action.type === 'return' || action.type === 'local-failure') throw withAttempts(error, trace);
        if (action.type === 'breaker-failure') slot.latency.observe(failureLatencyMs(latencyMs, slot.latency.value));
        applyAction(action, slot, this.deps.actions, accountInFlightAtSend);
        tried.add(slot);
        lastError = error;
        this.deps.events.emit('retry', { fromKeyId: slot.id, attempt: trace.length, reason: error.outcome.kind });
        this.deps.metrics?.retry(slot.id, error.outcome.kind);
      } finally {
        if (!handedOver) release(failure);
      }
    }
  }

  private noKey(model: string | undefined, why: Unavailability, trace: AttemptRecord[]): NoAvailableKeyError | InvalidRequestError {
    if (why.serving === 0 && model !== undefined) return new InvalidRequestError('model', `"${model}" is not served by any key of this pool`);
    const reasons = Object.entries(why.reasons)
      .map(([reason, count]) => `${count} ${reason}`)
      .join(', ');
    return new NoAvailableKeyError(`No key can serve ${model === undefined ? 'requests' : `model "${model}"`} now (${reasons})`, why.retryAfterMs, why.rateLimited, trace);
  }

  private exhausted(model: string | undefined, lastError: UpstreamError, trace: AttemptRecord[], why: string): AttemptsExhaustedError {
    const ctx = this.deps.eligibility.refresh();
    const retryAfterMs = this.deps.router.unavailability(model, ctx).retryAfterMs;
    return new AttemptsExhaustedError(`All attempts failed (${why}): ${lastError.message}`, lastError, retryAfterMs, trace);
  }
}

function withAttempts(error: UpstreamError, trace: AttemptRecord[]): UpstreamError {
  return new UpstreamError(error.message, error.outcome, error.keyId, error.body, trace);
}

/** The keys a run may pick: those of the call's `tiers` (every tier when unset) that the continuation, if any, accepts. */
function pickable(tiers: readonly number[] | undefined, accepts: ((slot: KeySlot) => boolean) | undefined): ((slot: KeySlot) => boolean) | undefined {
  if (tiers === undefined) return accepts;
  return (slot) => tiers.includes(slot.priority) && (accepts === undefined || accepts(slot));
}
