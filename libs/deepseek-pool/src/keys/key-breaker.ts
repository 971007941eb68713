import type { EventEmitter } from 'node:events';
import CircuitBreaker from 'opossum';
import type { BreakerPolicy } from './breaker-policy.js';
import { isKeyFault } from '../resilience/classify.js';

/** A key's circuit breaker: `open` takes no calls, `half-open` lets probes through. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * One opossum breaker per key, set up for LLM calls:
 * - opossum owns closed -> open (rolling window, minimum volume, error threshold) and open -> half-open (reset timer);
 * - timeouts are the pool's (time-to-first-content, idle, total), so opossum's shared-abort `timeout` is off;
 * - only the key's own faults are counted (`isKeyFault`: caller errors, 429s, aborts pass opossum's errorFilter);
 * - half-open admits `halfOpenMaxTrials` trial calls (opossum admits one) and closes after `halfOpenSuccessesToClose`.
 * Concurrency gating happens before `run`, so gate rejections never reach the breaker.
 */
export class KeyBreaker {
  private breaker: CircuitBreaker<[() => Promise<unknown>]>;
  private trialsAdmitted = 0;
  private trialSuccesses = 0;

  constructor(
    private readonly policy: BreakerPolicy,
    private readonly rotateBucketController: EventEmitter,
    private readonly onStateChange: (state: BreakerState) => void,
  ) {
    this.breaker = this.create();
  }

  /** A fresh opossum breaker (closed, empty window); opossum never opens it by itself, `judge` does. */
  private create(): CircuitBreaker<[() => Promise<unknown>]> {
    const breaker = new CircuitBreaker((call: () => Promise<unknown>) => call(), {
      timeout: false,
      errorThresholdPercentage: this.policy.errorThresholdPercentage,
      volumeThreshold: Number.MAX_SAFE_INTEGER,
      resetTimeout: this.policy.resetTimeoutMs,
      rollingCountTimeout: this.policy.windowMs,
      rollingCountBuckets: this.policy.buckets,
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
      rotateBucketController: this.rotateBucketController,
      errorFilter: (error: unknown) => !isKeyFault(error),
    });
    breaker.on('open', () => this.onStateChange('open'));
    breaker.on('close', () => this.onStateChange('closed'));
    breaker.on('halfOpen', () => {
      this.trialsAdmitted = 0;
      this.trialSuccesses = 0;
      this.onStateChange('half-open');
    });
    breaker.on('failure', () => this.judge(breaker));
    return breaker;
  }

  /**
   * Opens on the error rate of *completed* calls (in-flight calls are not successes) once the minimum volume is
   * reached.
   */
  private judge(breaker: CircuitBreaker<[() => Promise<unknown>]>): void {
    if (!breaker.closed) return;
    const { successes, failures } = breaker.stats;
    const completed = successes + failures;
    if (
      completed >= this.policy.volumeThreshold &&
      (failures / completed) * 100 >= this.policy.errorThresholdPercentage
    )
      breaker.open();
  }

  /** Closes after successful trial calls with an empty window: the outage is no longer held against the key. */
  private closeFresh(): void {
    const old = this.breaker;
    this.breaker = this.create();
    old.shutdown();
    this.onStateChange('closed');
  }

  get state(): BreakerState {
    if (this.breaker.opened) return 'open';
    if (this.breaker.halfOpen) return 'half-open';
    return 'closed';
  }

  /** Whether a call may start now (closed, or half-open with a trial slot left). */
  get admits(): boolean {
    if (this.breaker.closed) return true;
    return this.breaker.halfOpen && this.trialsAdmitted < this.policy.halfOpenMaxTrials;
  }

  /** Failure rate (0..1) over the rolling window, and the number of finished calls it is based on. */
  get window(): { errorRate: number; calls: number } {
    const { successes, failures } = this.breaker.stats;
    const calls = successes + failures;
    return { errorRate: calls === 0 ? 0 : failures / calls, calls };
  }

  /** Runs `call` under the breaker. Callers check `admits` first. */
  run<T>(call: () => Promise<T>): Promise<T> {
    if (this.breaker.halfOpen) return this.trial(call);
    return this.breaker.fire(call) as Promise<T>;
  }

  /** Opens the breaker now (e.g. an operator or prober marks the key down). */
  open(): void {
    this.breaker.open();
  }

  shutdown(): void {
    this.breaker.shutdown();
  }

  private async trial<T>(call: () => Promise<T>): Promise<T> {
    this.trialsAdmitted += 1;
    try {
      const result = await call();
      this.trialSuccesses += 1;
      if (this.breaker.halfOpen && this.trialSuccesses >= this.policy.halfOpenSuccessesToClose) this.closeFresh();
      return result;
    } catch (error) {
      if (!this.breaker.halfOpen) throw error;
      if (isKeyFault(error)) this.breaker.open();
      else this.trialsAdmitted -= 1; // not the key's fault: give the trial slot back
      throw error;
    }
  }
}
