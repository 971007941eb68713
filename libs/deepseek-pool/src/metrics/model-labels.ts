import type { Usage } from '../chat.types.js';
import type {
  AttemptMetric,
  ContinuationMetric,
  HedgeMetric,
  HedgeWinMetric,
  PoolMetricsRecorder,
  RequestMetric,
} from './metrics-recorder.js';

/** The label of every model the pool does not know: a client cannot mint label values. */
export const OTHER_MODEL = 'other';
/**
 * Models remembered at most (configured ones first): a label set stays bounded even if an upstream accepts any name.
 */
export const MAX_KNOWN_MODELS = 256;

/** Models the pool knows: configured on keys, listed by `/models`, or served successfully. */
export class ModelLabels {
  private readonly known = new Set<string>();

  learn(models: Iterable<string>): void {
    for (const model of models) if (this.known.size < MAX_KNOWN_MODELS) this.known.add(model);
  }

  /** `model` when known, else `other`. */
  label(model: string): string {
    return this.known.has(model) ? model : OTHER_MODEL;
  }
}

/** A recorder in front of the user's: model labels are only models the pool knows, everything else `other`. */
export class ModelLabelledMetrics implements PoolMetricsRecorder {
  constructor(
    private readonly inner: PoolMetricsRecorder,
    private readonly models: ModelLabels,
  ) {}

  attempt(metric: AttemptMetric): void {
    if (metric.outcome === 'success' && metric.model !== '') this.models.learn([metric.model]);
    this.inner.attempt({ ...metric, model: this.models.label(metric.model) });
  }

  request(metric: RequestMetric): void {
    this.inner.request({ ...metric, model: this.models.label(metric.model) });
  }

  retry(keyId: string, reason: string): void {
    this.inner.retry(keyId, reason);
  }

  usage(keyId: string, model: string, usage: Usage): void {
    this.inner.usage(keyId, this.models.label(model), usage);
  }

  degraded(tier: string, model: string): void {
    this.inner.degraded(tier, this.models.label(model));
  }

  continuation(metric: ContinuationMetric): void {
    this.inner.continuation?.({ ...metric, model: this.models.label(metric.model) });
  }

  hedge(metric: HedgeMetric): void {
    this.inner.hedge?.({ ...metric, model: this.models.label(metric.model) });
  }

  hedgeWin(metric: HedgeWinMetric): void {
    this.inner.hedgeWin?.({ ...metric, model: this.models.label(metric.model) });
  }
}
