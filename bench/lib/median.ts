/** The median of `values` (the mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * A distribution-free interval of about 95 % (`z` 1.96) for the median of the population `values` are drawn from: the
 * values at ranks n/2 - z * sqrt(n) / 2 and 1 + n/2 + z * sqrt(n) / 2 once sorted, each rounded to a whole rank (the
 * normal approximation of the binomial count of values below the median), clamped to the values' range. Undefined for
 * no values.
 */
export function medianInterval(values: readonly number[], z = 1.96): [number, number] | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const half = (z * Math.sqrt(n)) / 2;
  const low = Math.max(Math.round(n / 2 - half), 1);
  const high = Math.min(Math.round(1 + n / 2 + half), n);
  return [sorted[low - 1], sorted[high - 1]];
}
