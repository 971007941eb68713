import type {
  AttemptMetric,
  ContinuationMetric,
  HedgeMetric,
  HedgeSkipMetric,
  HedgeWinMetric,
  PoolMetricsRecorder,
  RequestMetric,
  Usage,
} from 'nestjs-deepseek-pool';
import { Histogram, Registry } from 'prom-client';
import { estimateCostUsd } from './cost/estimate-cost.js';
import { FoldedCounter } from './folded-counter.js';
import { DEFAULT_PRICES, type PriceTable } from './cost/price-table.js';
import { tokenCounts } from './cost/token-counts.js';
import { statusClass } from './status-class.js';

/** Prefix of every pool metric. */
export const METRIC_PREFIX = 'deepseek_pool_';

/** Latency buckets for LLM calls, in seconds: from a fast cache hit (50 ms) to a long reasoning answer (10 min). */
export const LLM_LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600];

export interface PrometheusPoolMetricsOptions {
  /** Where the metrics live. Default: a fresh registry (not prom-client's global one), so apps never collide. */
  registry?: Registry;
  /** Prices behind `deepseek_pool_cost_usd_total`. Default: DeepSeek's published prices. */
  prices?: PriceTable;
  /** Clock for peak / off-peak pricing. */
  now?: () => Date;
}

/**
 * The pool's recorder for Prometheus: counters and histograms of requests, attempts, retries, degraded answers,
 * tokens and estimated cost. Labels hold key ids, models and outcomes, never a secret.
 */
export class PrometheusPoolMetrics implements PoolMetricsRecorder {
  readonly registry: Registry;
  private readonly prices: PriceTable;
  private readonly now: () => Date;
  private readonly requests: FoldedCounter<'model' | 'outcome' | 'stream'>;
  private readonly requestSeconds: Histogram<'model' | 'outcome' | 'stream'>;
  private readonly attempts: FoldedCounter<'key_id' | 'outcome' | 'status_class'>;
  private readonly attemptSeconds: Histogram<'key_id' | 'outcome'>;
  private readonly retries: FoldedCounter<'key_id' | 'reason'>;
  private readonly degradedAnswers: FoldedCounter<'tier' | 'model'>;
  private readonly tokens: FoldedCounter<'key_id' | 'model' | 'kind'>;
  private readonly costUsd: FoldedCounter<'key_id' | 'model'>;
  private readonly continuations: FoldedCounter<'key_id' | 'model' | 'outcome'>;
  private readonly hedges: FoldedCounter<'key_id' | 'model' | 'stream'>;
  private readonly hedgeWins: FoldedCounter<'model' | 'outcome' | 'stream'>;
  private readonly hedgeSkips: FoldedCounter<'model' | 'reason' | 'stream'>;

  constructor(options: PrometheusPoolMetricsOptions = {}) {
    this.registry = options.registry ?? new Registry();
    this.prices = options.prices ?? DEFAULT_PRICES;
    this.now = options.now ?? (() => new Date());
    const registers = [this.registry];
    this.requests = new FoldedCounter(['model', 'outcome', 'stream'], {
      name: `${METRIC_PREFIX}requests_total`,
      help: 'Caller requests served by the pool, by model, outcome (success, error, degraded) and stream',
      registers,
    });
    this.requestSeconds = new Histogram({
      name: `${METRIC_PREFIX}request_duration_seconds`,
      help: 'Caller request latency across all attempts (streams: until the first content chunk)',
      labelNames: ['model', 'outcome', 'stream'],
      buckets: LLM_LATENCY_BUCKETS,
      registers,
    });
    this.attempts = new FoldedCounter(['key_id', 'outcome', 'status_class'], {
      name: `${METRIC_PREFIX}attempts_total`,
      help: 'Upstream attempts by key id, outcome (success, lost (a hedge race), http, timeout, network, empty-body, protocol, aborted) and status class (2xx, 429, 4xx, 5xx, none)',
      registers,
    });
    this.attemptSeconds = new Histogram({
      name: `${METRIC_PREFIX}attempt_duration_seconds`,
      help: 'Upstream attempt latency by key id and outcome',
      labelNames: ['key_id', 'outcome'],
      buckets: LLM_LATENCY_BUCKETS,
      registers,
    });
    this.retries = new FoldedCounter(['key_id', 'reason'], {
      name: `${METRIC_PREFIX}retries_total`,
      help: 'Retries on another key, by the key that failed and the failure kind',
      registers,
    });
    this.degradedAnswers = new FoldedCounter(['tier', 'model'], {
      name: `${METRIC_PREFIX}degraded_total`,
      help: 'Degraded answers by tier (cache, model, fallback) and requested model',
      registers,
    });
    this.tokens = new FoldedCounter(['key_id', 'model', 'kind'], {
      name: `${METRIC_PREFIX}tokens_total`,
      help: 'Tokens by key id, model and kind (prompt_cache_hit, prompt_cache_miss, completion, reasoning; completion includes reasoning)',
      registers,
    });
    this.continuations = new FoldedCounter(['key_id', 'model', 'outcome'], {
      name: `${METRIC_PREFIX}stream_continuations_total`,
      help: 'Streams that broke after content, by the key that broke, model and outcome (continued, or why not: disabled, no-capable-key, tool-calls, ...)',
      registers,
    });
    this.hedges = new FoldedCounter(['key_id', 'model', 'stream'], {
      name: `${METRIC_PREFIX}hedges_total`,
      help: 'Hedges sent (a second attempt while the first had not answered within the hedge delay), by the key hedged to, model and stream',
      registers,
    });
    this.hedgeWins = new FoldedCounter(['model', 'outcome', 'stream'], {
      name: `${METRIC_PREFIX}hedge_wins_total`,
      help: 'Hedge races decided, by which attempt answered first (outcome: hedge or primary), model and stream',
      registers,
    });
    this.hedgeSkips = new FoldedCounter(['model', 'reason', 'stream'], {
      name: `${METRIC_PREFIX}hedges_skipped_total`,
      help: 'Hedges due but not sent, by reason (max-attempts, deadline, budget, low-yield: the recent hedges of the key did not pay, no-candidate, account-limit), model and stream',
      registers,
    });
    this.costUsd = new FoldedCounter(['key_id', 'model'], {
      name: `${METRIC_PREFIX}cost_usd_total`,
      help: 'Estimated cost in USD by key id and model (price table with DeepSeek peak hours; unpriced models are not counted)',
      registers,
    });
  }

  attempt(metric: AttemptMetric): void {
    this.attempts.add([metric.keyId, metric.outcome, statusClass(metric)]);
    this.attemptSeconds.observe({ key_id: metric.keyId, outcome: metric.outcome }, metric.latencyMs / 1000);
  }

  request(metric: RequestMetric): void {
    const stream = String(metric.stream);
    this.requests.add([metric.model, metric.outcome, stream]);
    this.requestSeconds.observe({ model: metric.model, outcome: metric.outcome, stream }, metric.latencyMs / 1000);
  }

  retry(keyId: string, reason: string): void {
    this.retries.add([keyId, reason]);
  }

  usage(keyId: string, model: string, usage: Usage): void {
    for (const [kind, count] of Object.entries(tokenCounts(usage)))
      if (count > 0) this.tokens.add([keyId, model, kind], count);
    const cost = estimateCostUsd(model, usage, this.now(), this.prices);
    if (cost !== undefined) this.costUsd.add([keyId, model], cost);
  }

  degraded(tier: string, model: string): void {
    this.degradedAnswers.add([tier, model]);
  }

  continuation(metric: ContinuationMetric): void {
    this.continuations.add([metric.fromKeyId, metric.model, metric.outcome]);
  }

  hedge(metric: HedgeMetric): void {
    this.hedges.add([metric.keyId, metric.model, String(metric.stream)]);
  }

  hedgeWin(metric: HedgeWinMetric): void {
    this.hedgeWins.add([metric.model, metric.winner, String(metric.stream)]);
  }

  hedgeSkip(metric: HedgeSkipMetric): void {
    this.hedgeSkips.add([metric.model, metric.reason, String(metric.stream)]);
  }
}
