import type { Clock, Rng } from '../clock.js';
import type { AttemptRecord, UpstreamError } from '../deepseek-pool.errors.js';
import type { PoolEvents } from '../deepseek-pool.events.js';
import type { KeySlot } from '../keys/key-slot.js';
import type { PoolMetricsRecorder } from '../metrics/metrics-recorder.js';
import type { Redactor } from '../redaction/redactor.js';
import type { EligibilityContext } from '../routing/eligibility.js';
import type { Router } from '../routing/router.js';
import { type CallTrace, NOOP_CALL } from '../telemetry/call-trace.js';
import type { AttemptControl } from './attempt-control.js';
import { newCall } from './attempt-call.js';
import { runAttempt } from './attempt-race.js';
import type { Hedging } from './hedging.js';
import type { ActionContext } from './outcome-actions.js';
import type { Outcome } from './outcome.js';
import { pickOrWait } from './pick-or-wait.js';
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

/**
 * The attempt loop: deadline, retry budget, never the same key twice while another is eligible,
 * backoff only while no key is eligible, and classify() deciding what each failure does. Each turn is a
 * pick-or-wait step (pick-or-wait.ts), an attempt step with its hedge (attempt-race.ts), and on a failure the
 * on-failure step (on-failure.ts).
 */
export class AttemptLoop {
  private readonly deps: AttemptLoopDeps & { releases: SlotReleases };

  constructor(deps: AttemptLoopDeps) {
    this.deps = { ...deps, releases: new SlotReleases() };
  }

  async run<T>(
    model: string | undefined,
    options: RunOptions,
    stream: boolean,
    attempt: AttemptFn<T>,
    tracer: CallTrace = NOOP_CALL,
  ): Promise<{ data: T; meta: AttemptMeta }> {
    const deps = this.deps;
    const call = newCall(model, options, stream, attempt, tracer, {
      nowMs: deps.clock.now(),
      requestTimeoutMs: deps.requestTimeoutMs,
      maxWaitForKeyMs: deps.maxWaitForKeyMs,
    });
    const continuing = options.continuing !== undefined;
    if (!continuing) {
      deps.budget.recordRequest();
      deps.hedging?.recordRequest();
    }
    const hedged = !continuing && options.hedge !== false && deps.hedging?.settings.enabled === true;
    for (;;) {
      // No await between a pick and its attempt when the store answers at once (see pickOrWait).
      const picking = pickOrWait(call, deps);
      const slot = picking instanceof Promise ? await picking : picking;
      const result = await runAttempt(call, slot, hedged, deps);
      if ('data' in result) return result;
      call.lastError = result.error;
    }
  }
}
