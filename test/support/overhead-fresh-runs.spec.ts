import { encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { nanosecondHistogram, summarize } from '../../bench/lib/histogram.js';
import { mergeRuns } from '../../bench/overhead/fresh-runs.js';
import type { VariantSummary } from '../../bench/overhead/rounds.js';

/** A client's summary from one run, as the worker returns it when asked for histograms: calls of `nanoseconds`. */
function summary(nanoseconds: number[], extra: Partial<VariantSummary> = {}): VariantSummary {
  const histogram = nanosecondHistogram();
  for (const value of nanoseconds) histogram.recordValue(value);
  return {
    ...summarize(histogram, 1e3),
    slow: 0,
    rounds: [{ p50: nanoseconds[0] / 1e3, p99: nanoseconds[0] / 1e3 }],
    histogram: encodeIntoCompressedBase64(histogram),
    ...extra,
  };
}

describe('mergeRuns (the targets of the overhead suite, measured in fresh processes)', () => {
  const fast = Array.from({ length: 90 }, () => 100_000);
  const slow = Array.from({ length: 10 }, () => 900_000);

  it('reads the percentiles of all the runs’ calls, sums their counts and keeps their rounds in run order', () => {
    const merged = mergeRuns([
      { undici: summary(fast, { slow: 1 }), pool: summary(fast, { hedges: 2 }) },
      { undici: summary(slow, { slow: 3 }), pool: summary(slow, { hedges: 5 }) },
    ]);
    // Each run alone has its p50 at 100 or 900 µs; together, as if all the calls were in one histogram.
    const all = nanosecondHistogram();
    for (const value of [...fast, ...slow]) all.recordValue(value);
    const { count, mean, p50, p90, p99, p999 } = summarize(all, 1e3);
    expect(merged.undici).toMatchObject({ count, mean, p50, p90, p99, p999, slow: 4 });
    expect([count, p50, Math.round(p99)]).toEqual([100, 100, 900]);
    expect(merged.undici.rounds).toEqual([
      { p50: 100, p99: 100 },
      { p50: 900, p99: 900 },
    ]);
    expect(merged.pool.hedges).toBe(7);
    expect(merged.undici).not.toHaveProperty('hedges');
    expect(merged.undici).not.toHaveProperty('histogram');
  });

  it('refuses runs it cannot merge', () => {
    expect(() => mergeRuns([])).toThrow('no runs to merge');
    expect(() => mergeRuns([{ undici: summary(fast) }, { undici: summary(fast), pool: summary(fast) }])).toThrow(
      'runs with different clients: undici and undici, pool',
    );
    expect(() => mergeRuns([{ undici: { ...summary(fast), histogram: undefined } }])).toThrow(
      'undici: a run returned no histogram to merge',
    );
  });
});
