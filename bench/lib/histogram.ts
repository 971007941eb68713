import { type Histogram, build } from 'hdr-histogram-js';

/** Percentiles of one latency distribution, in the unit the histogram was read in. */
export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** An HDR histogram of nanosecond values from 1 ns to 60 s, 3 significant digits (0.1% precision). */
export function nanosecondHistogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 60e9, numberOfSignificantValueDigits: 3 });
}

/** Reads a histogram's percentiles, dividing every value by `unit` (1e3: ns -> µs; 1e6: ns -> ms). */
export function summarize(histogram: Histogram, unit: number): LatencySummary {
  const at = (percentile: number) => round(histogram.getValueAtPercentile(percentile) / unit);
  return {
    count: histogram.totalCount,
    mean: round(histogram.mean / unit),
    p50: at(50),
    p90: at(90),
    p99: at(99),
    p999: at(99.9),
    max: round(histogram.maxValue / unit),
  };
}

/** Rounds to one decimal (the histogram's precision at the magnitudes the bench reads). */
export function round(value: number, decimals = 1): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
