import type { Usage } from 'nestjs-deepseek-pool';
import { DEFAULT_PRICES, type PriceTable } from './price-table.js';
import { tokenCounts } from './token-counts.js';

/** DeepSeek's peak hours: 01:00-04:00 and 06:00-10:00 UTC, Monday to Friday (start included, end excluded). */
export function isPeakHour(date: Date): boolean {
  const day = date.getUTCDay();
  if (day === 0 || day === 6) return false;
  const hour = date.getUTCHours();
  return (hour >= 1 && hour < 4) || (hour >= 6 && hour < 10);
}

/** Estimated USD cost of one answer's usage at `date`; undefined for a model the table does not price. */
export function estimateCostUsd(
  model: string,
  usage: Usage,
  date: Date,
  prices: PriceTable = DEFAULT_PRICES,
): number | undefined {
  if (!Object.hasOwn(prices, model)) return undefined;
  const price = prices[model];
  const rates = (isPeakHour(date) ? price.peak : undefined) ?? price.offPeak;
  const tokens = tokenCounts(usage);
  return (
    (tokens.prompt_cache_hit * rates.cacheHit +
      tokens.prompt_cache_miss * rates.cacheMiss +
      tokens.completion * rates.output) /
    1_000_000
  );
}
