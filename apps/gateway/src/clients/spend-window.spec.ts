import { describe, expect, it } from '@jest/globals';
import {
  type ClientLimits,
  type Increments,
  NANO_PER_USD,
  type Refusal,
  applyIncrements,
  correctionOf,
  incrementsAt,
  refusalOf,
  totalsOf,
} from './spend-window.js';

/** Noon UTC on 15 Jan 2026, on a second boundary. */
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const MIDNIGHT = Date.UTC(2026, 0, 16);
const FEB_1 = Date.UTC(2026, 1, 1);
const usd = (n: number): number => n * NANO_PER_USD;

function fieldsOf(
  ...adds: Array<[atMs: number, requests: number, tokens: number, nanoUsd?: number]>
): Map<string, number> {
  const fields = new Map<string, number>();
  for (const [atMs, requests, tokens, nanoUsd = 0] of adds)
    applyIncrements(fields, incrementsAt(atMs, requests, tokens, nanoUsd));
  return fields;
}

describe('refusalOf (the admission rule)', () => {
  it.each<[string, ClientLimits, Map<string, number>, number, Refusal | undefined]>([
    ['admits with no limit', {}, fieldsOf([T0, 1_000, 1e9, usd(1e6)]), T0, undefined],
    [
      'admits the 10th request of 10 per minute',
      { requestsPerMinute: 10 },
      fieldsOf([T0, 9, 0]),
      T0 + 5_000,
      undefined,
    ],
    [
      'refuses the 11th until the first second leaves the window',
      { requestsPerMinute: 10 },
      fieldsOf([T0, 10, 0]),
      T0 + 5_000,
      { limit: 'requestsPerMinute', max: 10, retryAfterMs: 55_000 },
    ],
    [
      'waits for as many seconds as it takes',
      { requestsPerMinute: 3 },
      fieldsOf([T0, 1, 0], [T0 + 10_000, 1, 0], [T0 + 20_000, 1, 0]),
      T0 + 30_000,
      { limit: 'requestsPerMinute', max: 3, retryAfterMs: 30_000 },
    ],
    [
      'forgets a request 60 s after its second',
      { requestsPerMinute: 1 },
      fieldsOf([T0 + 999, 1, 0]),
      T0 + 60_000,
      undefined,
    ],
    [
      'admits while tokens are below the limit (one request may pass it)',
      { tokensPerMinute: 1_000 },
      fieldsOf([T0, 1, 999]),
      T0 + 1_000,
      undefined,
    ],
    [
      'refuses once the tokens reach the limit',
      { tokensPerMinute: 1_000 },
      fieldsOf([T0, 1, 600], [T0 + 30_000, 1, 600]),
      T0 + 40_000,
      { limit: 'tokensPerMinute', max: 1_000, retryAfterMs: 20_000 },
    ],
    [
      'refuses a spent daily token budget until midnight UTC',
      { tokensPerDay: 5_000 },
      fieldsOf([T0, 1, 5_000]),
      T0 + 1_000,
      { limit: 'tokensPerDay', max: 5_000, retryAfterMs: MIDNIGHT - T0 - 1_000 },
    ],
    [
      'counts a new day from zero',
      { tokensPerDay: 5_000 },
      fieldsOf([MIDNIGHT - 1_000, 1, 5_000]),
      MIDNIGHT + 1_000,
      undefined,
    ],
    [
      'refuses a spent daily USD budget until midnight UTC',
      { usdPerDay: 2 },
      fieldsOf([T0, 1, 10, usd(2)]),
      T0,
      { limit: 'usdPerDay', max: 2, retryAfterMs: MIDNIGHT - T0 },
    ],
    ['admits a cent below the daily USD budget', { usdPerDay: 2 }, fieldsOf([T0, 1, 10, usd(1.99)]), T0, undefined],
    [
      'refuses a spent monthly budget until the 1st, 00:00 UTC',
      { usdPerMonth: 50 },
      fieldsOf([T0, 1, 10, usd(30)], [T0 + 86_400_000, 1, 10, usd(20)]),
      T0 + 86_400_000,
      { limit: 'usdPerMonth', max: 50, retryAfterMs: FEB_1 - T0 - 86_400_000 },
    ],
    [
      'names the reached limit that frees last',
      { requestsPerMinute: 1, usdPerDay: 1 },
      fieldsOf([T0, 1, 10, usd(1)]),
      T0,
      { limit: 'usdPerDay', max: 1, retryAfterMs: MIDNIGHT - T0 },
    ],
  ])('%s', (_name, limits, fields, nowMs, expected) => {
    // Act
    const refusal = refusalOf(limits, fields, nowMs);

    // Assert
    expect(refusal).toEqual(expected);
  });
});

describe('correctionOf', () => {
  it.each<[string, number, Increments]>([
    [
      'moves the estimate to the real size where it landed',
      T0 + 10_000,
      [
        [`t:${T0 / 1000}`, -700],
        [`d:${Math.floor(T0 / 86_400_000)}`, -700],
        [`c:${Math.floor(T0 / 86_400_000)}`, -5],
        ['m:24312', -5],
      ],
    ],
    [
      'leaves the per-minute counts alone once they left the window',
      T0 + 60_000,
      [
        [`d:${Math.floor(T0 / 86_400_000)}`, -700],
        [`c:${Math.floor(T0 / 86_400_000)}`, -5],
        ['m:24312', -5],
      ],
    ],
  ])('%s', (_name, nowMs, expected) => {
    expect(correctionOf(T0, { tokens: 1_000, nanoUsd: 10 }, { tokens: 300, nanoUsd: 5 }, nowMs)).toEqual(expected);
  });

  it('undoes the estimate exactly: estimate + correction = the real size', () => {
    // Arrange
    const fields = fieldsOf([T0, 1, 1_000, usd(0.5)]);

    // Act
    applyIncrements(
      fields,
      correctionOf(T0, { tokens: 1_000, nanoUsd: usd(0.5) }, { tokens: 250, nanoUsd: usd(0.125) }, T0 + 2_000),
    );

    // Assert
    expect(totalsOf(fields, T0 + 2_000)).toEqual({
      requestsPerMinute: 1,
      tokensPerMinute: 250,
      tokensPerDay: 250,
      usdPerDay: 0.125,
      usdPerMonth: 0.125,
    });
  });
});
