import type { Usage } from '../chat.types.js';
import type { Outcome } from '../resilience/outcome.js';
import type { NotContinuedReason } from '../deepseek-pool.errors.js';

/** One upstream attempt, as metrics see it. */
export interface AttemptMetric {
  keyId: string;
  model: string;
  /** `lost`: aborted after losing a hedge race (not a failure). */
  outcome: 'success' | 'lost' | Outcome['kind'];
  status?: number;
  latencyMs: number;
  stream: boolean;
}

/** One caller request (across its attempts). */
export interface RequestMetric {
  model: string;
  outcome: 'success' | 'error' | 'degraded';
  attempts: number;
  latencyMs: number;
  stream: boolean;
}

/** A stream that broke after content: continued on another key, or why not. */
export interface ContinuationMetric {
  model: string;
  /** The key whose stream broke. */
  fromKeyId: string;
  outcome: 'continued' | NotContinuedReason;
}

/** A hedge sent: a second attempt while the first had not answered within the hedge delay. */
export interface HedgeMetric {
  model: string;
  /** The key the hedge went to. */
  keyId: string;
  stream: boolean;
}

/** A hedge race decided: which attempt answered first. */
export interface HedgeWinMetric {
  model: string;
  winner: 'hedge' | 'primary';
  stream: boolean;
}

/**
 * The pool reports through this small interface; an app without Prometheus passes nothing and pays nothing.
 * Key state gauges (in-flight, breaker state, cooldowns) are read from `DeepSeekPoolService.snapshot()` at scrape time.
 */
export interface PoolMetricsRecorder {
  attempt(metric: AttemptMetric): void;
  request(metric: RequestMetric): void;
  retry(keyId: string, reason: string): void;
  usage(keyId: string, model: string, usage: Usage): void;
  degraded(tier: string, model: string): void;
  /** Optional: recorders written before stream continuation need not implement it. */
  continuation?(metric: ContinuationMetric): void;
  /** Optional: recorders written before hedging need not implement these. */
  hedge?(metric: HedgeMetric): void;
  hedgeWin?(metric: HedgeWinMetric): void;
}
