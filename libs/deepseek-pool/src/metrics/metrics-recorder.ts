import type { Usage } from '../chat.types.js';
import type { Outcome } from '../resilience/outcome.js';
import type { NotContinuedReason } from '../deepseek-pool.errors.js';
import type { HedgeSkip } from '../call.types.js';

/** One upstream attempt, as metrics see it. */
export interface AttemptMetric {
  /** Id of the key the attempt went to. */
  keyId: string;
  /** Requested model (`other` beyond the models the pool knows). */
  model: string;
  /** `lost`: aborted after losing a hedge race (not a failure). */
  outcome: 'success' | 'lost' | Outcome['kind'];
  /** HTTP status the upstream sent, when it sent one. */
  status?: number;
  /** Time from sending to the outcome, ms. */
  latencyMs: number;
  /** True for a streamed call. */
  stream: boolean;
}

/** One caller request (across its attempts). */
export interface RequestMetric {
  /** Requested model (`other` beyond the models the pool knows). */
  model: string;
  /** `success`, `error` (the caller got an error) or `degraded` (a degradation tier answered). */
  outcome: 'success' | 'error' | 'degraded';
  /** Upstream attempts made. */
  attempts: number;
  /** Time from the call to its answer or error (to the first content for streams), ms. */
  latencyMs: number;
  /** True for a streamed call. */
  stream: boolean;
}

/** A stream that broke after content: continued on another key, or why not. */
export interface ContinuationMetric {
  /** Requested model (`other` beyond the models the pool knows). */
  model: string;
  /** The key whose stream broke. */
  fromKeyId: string;
  /** `continued`, or why the stream was not continued. */
  outcome: 'continued' | NotContinuedReason;
}

/** A hedge sent: a second attempt while the first had not answered within the hedge delay. */
export interface HedgeMetric {
  /** Requested model (`other` beyond the models the pool knows). */
  model: string;
  /** The key the hedge went to. */
  keyId: string;
  /** True for a streamed call. */
  stream: boolean;
}

/** A hedge due but not sent: why (see HedgeSkip; `low-yield`: the key's recent hedges did not pay). */
export interface HedgeSkipMetric {
  /** Requested model (`other` beyond the models the pool knows). */
  model: string;
  /** Why it was not sent. */
  reason: HedgeSkip;
  /** True for a streamed call. */
  stream: boolean;
}

/** A hedge race decided: which attempt answered first. */
export interface HedgeWinMetric {
  /** Requested model (`other` beyond the models the pool knows). */
  model: string;
  /** The attempt that answered first. */
  winner: 'hedge' | 'primary';
  /** True for a streamed call. */
  stream: boolean;
}

/**
 * The pool reports through this small interface; an app without Prometheus passes nothing and pays nothing.
 * Key state gauges (in-flight, breaker state, cooldowns) are read from `DeepSeekPoolService.snapshot()` at scrape time.
 */
export interface PoolMetricsRecorder {
  /** One upstream attempt ended. */
  attempt(metric: AttemptMetric): void;
  /** One caller request ended (answered, failed or degraded). */
  request(metric: RequestMetric): void;
  /** A call goes on to another key after `keyId` failed (`reason`: the failure's kind). */
  retry(keyId: string, reason: string): void;
  /** Token usage an answer reported, by key and requested model. */
  usage(keyId: string, model: string, usage: Usage): void;
  /** A degradation tier (`cache`, `model`, `fallback`) answered a request for `model`. */
  degraded(tier: string, model: string): void;
  /** Optional: recorders written before stream continuation need not implement it. */
  continuation?(metric: ContinuationMetric): void;
  /** Optional: recorders written before hedging need not implement these. */
  hedge?(metric: HedgeMetric): void;
  /** A hedge race was decided. */
  hedgeWin?(metric: HedgeWinMetric): void;
  /** Optional: a hedge came due and was not sent. */
  hedgeSkip?(metric: HedgeSkipMetric): void;
}
