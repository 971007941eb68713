import type { Clock, Rng } from '../clock.js';
import type { UpstreamError } from '../deepseek-pool.errors.js';
import type { PoolEvents } from '../deepseek-pool.events.js';
import type { KeySlot } from '../keys/key-slot.js';
import type { PoolMetricsRecorder } from '../metrics/metrics-recorder.js';
import type { Redactor } from '../redaction/redactor.js';
import type { EligibilityContext } from '../routing/eligibility.js';
import type { Router } from '../routing/router.js';
import type { AttemptControl } from './attempt-control.js';
import type { Hedging } from './hedging.js';
import type { ActionContext } from './outcome-actions.js';
import type { RetryBudget } from './retry-budget.js';

/*
 * The attempt loop's shapes, shared by the loop (attempt-loop.ts) and its steps (attempt-call, pick-or-wait,
 * attempt-race, flight, on-failure), which therefore never import the loop itself.
 */

/** What one call asks of the loop. */
export interface CallOptions {
  /** Aborting it cancels the call: it rejects with RequestAbortedError and the upstream request is cancelled. */
  signal?: AbortSignal;
  /** Overall deadline for this call, ms (default: the pool's `timeouts.requestMs`). */
  timeoutMs?: number;
  /**
   * Session or user key: calls with the same key stick to one account's keys (prompt-cache affinity). Overrides the
   * pool's `affinity`.
   */
  affinityKey?: string;
  /** Key priorities (`keys[].priority`) this call may use; default: every priority. */
  priorities?: readonly number[];
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
  router: Router<KeySlot>;
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
export type AttemptFn<T> = (
  slot: KeySlot,
  control: AttemptControl,
  commit: (answer: T) => void,
) => Promise<T> | Promise<void>;
