import { type Histogram, build } from 'hdr-histogram-js';
import type { Clock } from '../clock.js';

/** Longest time-to-answer tracked, ms (longer samples count as this). */
const HIGHEST_MS = 3_600_000;
/**
 * Once a class has its minimum samples, its percentile is recomputed at most this often (a read walks the histogram).
 */
const REFRESH_MS = 100;

function histogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_MS, numberOfSignificantValueDigits: 2 });
}

/** The answer times of one latency class over the last one to two half-windows. */
class WindowedHistogram {
  private current = histogram();
  private previous = histogram();
  /** Scratch: both halves added up when the percentile is recomputed (a sample is recorded once, in `current`). */
  private readonly merged = histogram();
  private rotatedAt: number;
  private cached: number | undefined;
  private dirty = false;
  private computedAt = -Infinity;

  constructor(
    private readonly halfWindowMs: number,
    nowMs: number,
  ) {
    this.rotatedAt = nowMs;
  }

  record(ms: number, nowMs: number): void {
    this.rotate(nowMs);
    this.current.recordValue(Math.min(HIGHEST_MS, Math.max(1, Math.round(ms))));
    this.dirty = true;
  }

  /**
   * The percentile over the window; with fewer than `minSamples` samples the slowest one stands in for it (a few
   * samples say little about a tail); undefined with none. Recomputed after a new sample, at most every REFRESH_MS
   * once the class has its minimum samples.
   */
  percentile(percentile: number, minSamples: number, nowMs: number): number | undefined {
    if (this.rotate(nowMs)) this.computedAt = -Infinity;
    const count = this.previous.totalCount + this.current.totalCount;
    if (count === 0) return undefined;
    if (count < minSamples) return Math.max(this.previous.maxValue, this.current.maxValue);
    if (this.dirty && nowMs - this.computedAt >= REFRESH_MS) {
      this.merged.reset();
      this.merged.add(this.previous);
      this.merged.add(this.current);
      this.cached = this.merged.getValueAtPercentile(percentile);
      this.dirty = false;
      this.computedAt = nowMs;
    }
    return this.cached;
  }

  samples(nowMs: number): number {
    this.rotate(nowMs);
    return this.previous.totalCount + this.current.totalCount;
  }

  /** Drops the older half-window once the current one is full; true when something was dropped. */
  private rotate(nowMs: number): boolean {
    if (nowMs - this.rotatedAt < this.halfWindowMs) return false;
    const stale = nowMs - this.rotatedAt >= 2 * this.halfWindowMs;
    const older = this.previous;
    this.previous = this.current;
    this.current = older;
    this.current.reset();
    if (stale) this.previous.reset();
    this.rotatedAt = nowMs;
    this.dirty = true;
    return true;
  }
}

/**
 * What an answer's time is compared within: streams (time to first content) apart from whole answers, by model and by
 * the caller's class (the `max_tokens` class). Kept as parts, not joined into one string: a string built per call
 * would be hashed anew by every lookup's first use (about a microsecond of a cold call, bench/FINDINGS.md, finding 1),
 * where the model and the class are strings the call already holds.
 */
export interface LatencyClass {
  readonly stream: boolean;
  readonly model: string;
  readonly tokens: string;
}

/** The classes of one kind (streams or whole answers): by model, then by the caller's class. */
type ClassTable = Map<string, Map<string, WindowedHistogram>>;

/**
 * Recent time-to-answer (non-streaming) or time-to-first-content (streams) of the pool's successful attempts, by
 * latency class, in HDR histograms over a sliding window: what the hedge delay follows.
 */
export class AnswerTimes {
  private readonly answers: ClassTable = new Map();
  private readonly streams: ClassTable = new Map();

  constructor(
    private readonly windowMs: number,
    private readonly clock: Clock,
  ) {}

  /** Records one answer time (`now`: when it ended, when the caller read the clock already). */
  record(latencyClass: LatencyClass, ms: number, now = this.clock.now()): void {
    const table = latencyClass.stream ? this.streams : this.answers;
    let byTokens = table.get(latencyClass.model);
    if (byTokens === undefined) {
      byTokens = new Map();
      table.set(latencyClass.model, byTokens);
    }
    let window = byTokens.get(latencyClass.tokens);
    if (window === undefined) {
      window = new WindowedHistogram(this.windowMs / 2, now);
      byTokens.set(latencyClass.tokens, window);
    }
    window.record(ms, now);
  }

  /**
   * The `percentile` of the class's recent answer times, ms (the slowest while it has fewer than `minSamples`;
   * undefined with none).
   */
  percentile(
    latencyClass: LatencyClass,
    percentile: number,
    minSamples: number,
    nowMs = this.clock.now(),
  ): number | undefined {
    return this.window(latencyClass)?.percentile(percentile, minSamples, nowMs);
  }

  /** Samples of the class in the window. */
  samples(latencyClass: LatencyClass, nowMs = this.clock.now()): number {
    return this.window(latencyClass)?.samples(nowMs) ?? 0;
  }

  private window({ stream, model, tokens }: LatencyClass): WindowedHistogram | undefined {
    return (stream ? this.streams : this.answers).get(model)?.get(tokens);
  }
}
