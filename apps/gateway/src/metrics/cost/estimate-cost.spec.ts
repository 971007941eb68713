import type { Usage } from 'nestjs-deepseek-pool';
import { estimateCostUsd, isPeakHour } from './estimate-cost.js';
import type { PriceTable } from './price-table.js';

const MILLION = 1_000_000;
/** 1M cache-hit, 1M cache-miss and 1M completion tokens: the cost is the sum of the three rates. */
const ONE_MILLION_EACH: Usage = {
  prompt_tokens: 2 * MILLION,
  prompt_cache_hit_tokens: MILLION,
  prompt_cache_miss_tokens: MILLION,
  completion_tokens: MILLION,
  total_tokens: 3 * MILLION,
  completion_tokens_details: { reasoning_tokens: 400_000 },
};
const MONDAY_OFF_PEAK = new Date('2026-01-05T12:00:00Z');
const MONDAY_PEAK = new Date('2026-01-05T07:30:00Z');

describe('isPeakHour', () => {
  it.each([
    ['Monday 00:59 UTC', '2026-01-05T00:59:59Z', false],
    ['Monday 01:00 UTC', '2026-01-05T01:00:00Z', true],
    ['Monday 03:59 UTC', '2026-01-05T03:59:59Z', true],
    ['Monday 04:00 UTC', '2026-01-05T04:00:00Z', false],
    ['Monday 05:59 UTC', '2026-01-05T05:59:59Z', false],
    ['Monday 06:00 UTC', '2026-01-05T06:00:00Z', true],
    ['Monday 09:59 UTC', '2026-01-05T09:59:59Z', true],
    ['Monday 10:00 UTC', '2026-01-05T10:00:00Z', false],
    ['Friday 08:00 UTC', '2026-01-09T08:00:00Z', true],
    ['Saturday 08:00 UTC', '2026-01-03T08:00:00Z', false],
    ['Sunday 02:00 UTC', '2026-01-04T02:00:00Z', false],
  ])('%s -> %s', (_label, iso, peak) => {
    expect(isPeakHour(new Date(iso))).toBe(peak);
  });
});

describe('estimateCostUsd', () => {
  it.each([
    ['deepseek-v4-flash', MONDAY_OFF_PEAK, 0.003 + 0.15 + 0.6],
    ['deepseek-v4-flash', MONDAY_PEAK, 0.006 + 0.3 + 1.2],
    ['deepseek-v4-pro', MONDAY_OFF_PEAK, 0.022 + 0.66 + 1.98],
    ['deepseek-v4-pro', MONDAY_PEAK, 0.044 + 1.32 + 3.96],
    ['deepseek-chat', MONDAY_PEAK, 0.006 + 0.3 + 1.2],
    ['deepseek-reasoner', MONDAY_OFF_PEAK, 0.003 + 0.15 + 0.6],
  ])('prices %s at %s', (model, date, expected) => {
    expect(estimateCostUsd(model, ONE_MILLION_EACH, date)).toBeCloseTo(expected, 9);
  });

  it('has no price for an unknown model (nor for Object.prototype names)', () => {
    expect(estimateCostUsd('gpt-4o', ONE_MILLION_EACH, MONDAY_PEAK)).toBeUndefined();
    expect(estimateCostUsd('constructor', ONE_MILLION_EACH, MONDAY_PEAK)).toBeUndefined();
  });

  it('counts every prompt token as a cache miss when the upstream reports no cache fields', () => {
    const usage: Usage = { prompt_tokens: MILLION, completion_tokens: 0, total_tokens: MILLION };
    expect(estimateCostUsd('deepseek-v4-flash', usage, MONDAY_OFF_PEAK)).toBeCloseTo(0.15, 9);
  });

  it('uses an override table, and off-peak rates at peak time when the model has no peak price', () => {
    const prices: PriceTable = { 'my-model': { offPeak: { cacheHit: 1, cacheMiss: 2, output: 3 } } };
    expect(estimateCostUsd('my-model', ONE_MILLION_EACH, MONDAY_PEAK, prices)).toBeCloseTo(6, 9);
    expect(estimateCostUsd('deepseek-v4-flash', ONE_MILLION_EACH, MONDAY_PEAK, prices)).toBeUndefined();
  });
});
