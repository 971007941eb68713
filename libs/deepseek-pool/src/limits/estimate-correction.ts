/** How the correction learns: answers it waits for, and how fast old answers fade. */
export interface EstimateCorrectionSettings {
  /** Answers seen before the correction applies (until then the raw estimate is reserved). */
  readonly minSamples: number;
  /** Weight an answer keeps per later answer (decay of the sums): 1 - 1/256 forgets over a few hundred answers. */
  readonly decay: number;
  /** Bounds of the factor: never below `min` of the raw estimate, never above `max`. */
  readonly min: number;
  readonly max: number;
}

export const DEFAULT_ESTIMATE_CORRECTION: EstimateCorrectionSettings = {
  minSamples: 20,
  decay: 1 - 1 / 256,
  min: 0.25,
  max: 2,
};

/**
 * Learns how many tokens calls really use for what was estimated before them (prompt characters / charsPerToken
 * plus `max_tokens`), as a ratio of decayed sums, so that the tokens reserved for calls in flight follow real usage.
 * With `max_tokens: 512` and answers of ~300 tokens, the raw estimate makes keys look ~40% fuller than they are for
 * as long as a burst is in flight, and the last requests of a burst find every key "over its limit". Pure: no clock.
 */
export class EstimateCorrection {
  private estimated = 0;
  private used = 0;
  private samples = 0;

  constructor(private readonly settings: EstimateCorrectionSettings = DEFAULT_ESTIMATE_CORRECTION) {}

  /** The multiplier applied to raw estimates now: 1 until `minSamples` answers, then used / estimated, bounded. */
  factor(): number {
    if (this.samples < this.settings.minSamples || this.estimated <= 0) return 1;
    return Math.min(this.settings.max, Math.max(this.settings.min, this.used / this.estimated));
  }

  /** Tokens to reserve for a call whose raw estimate is `tokens` (whole tokens, at least 1). */
  reserve(tokens: number): number {
    return Math.max(1, Math.ceil(tokens * this.factor()));
  }

  /** One answer: estimated `estimated` tokens before the call, the upstream reported `used`. */
  observe(estimated: number, used: number): void {
    if (!(estimated > 0) || !(used >= 0) || !Number.isFinite(used)) return;
    this.estimated = this.estimated * this.settings.decay + estimated;
    this.used = this.used * this.settings.decay + used;
    this.samples++;
  }
}
