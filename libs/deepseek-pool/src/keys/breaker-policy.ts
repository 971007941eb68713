/** Per-key circuit breaker settings (a rolling error-rate breaker with a multi-trial half-open state). */
export interface BreakerPolicy {
  /** Length of the rolling statistics window, ms. */
  windowMs: number;
  /** Buckets the window is divided into. */
  buckets: number;
  /** Requests needed in the window before the error rate can open the breaker. */
  volumeThreshold: number;
  /** Error rate, in percent, at or above which the breaker opens. */
  errorThresholdPercentage: number;
  /** Time an open breaker waits before admitting half-open trial calls, ms. */
  resetTimeoutMs: number;
  /** Trial calls admitted at once while half-open. */
  halfOpenMaxTrials: number;
  /** Successful trial calls needed to close a half-open breaker. */
  halfOpenSuccessesToClose: number;
}

/** Defaults: a few early failures never open a breaker; recovery is tried after 15 s with up to 3 trial calls. */
export const DEFAULT_BREAKER_POLICY: Readonly<BreakerPolicy> = Object.freeze({
  windowMs: 30_000,
  buckets: 10,
  volumeThreshold: 5,
  errorThresholdPercentage: 50,
  resetTimeoutMs: 15_000,
  halfOpenMaxTrials: 3,
  halfOpenSuccessesToClose: 2,
});
