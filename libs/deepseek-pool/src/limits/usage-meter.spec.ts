import { describe, expect, it } from '@jest/globals';
import { MemoryStateStore } from '../state/memory-state-store.js';
import { QuotaGuard } from './quota-guard.js';
import type { ThresholdCrossing } from './quota-thresholds.js';
import { UsageMeter } from './usage-meter.js';
import type { UsageLimits } from './usage-window.js';

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

function meter(keyLimits?: UsageLimits, accountLimits?: UsageLimits) {
  const store = new MemoryStateStore();
  const clock = { now: () => T0 };
  const crossings: ThresholdCrossing[] = [];
  const accounts = new Map(accountLimits ? [['acct', accountLimits]] : []);
  const subject = new UsageMeter(store, new QuotaGuard(store, accounts), clock, (c) => crossings.push(c));
  const key = {
    id: 'a',
    config: { account: 'acct', limits: keyLimits },
    keyScope: 'key:a',
    accountScope: 'account:acct',
  };
  const counted = (scope: string) => store.usage(scope).totals(T0);
  return { subject, key, crossings, counted };
}

describe('UsageMeter', () => {
  it('counts nothing, and estimates nothing, when neither the key nor its account has limits', () => {
    // Arrange
    const { subject, key, counted } = meter();
    let estimated = false;

    // Act
    const reservation = subject.reserve(key, () => {
      estimated = true;
      return 10;
    });

    // Assert
    expect([reservation, estimated, counted('key:a').requestsPerMinute]).toEqual([undefined, false, 0]);
  });

  it('counts the estimate against the key and its account before the call', () => {
    // Arrange
    const { subject, key, counted } = meter({ tokensPerMinute: 10_000 }, { tokensPerDay: 100_000 });

    // Act
    subject.reserve(key, () => 1_200);

    // Assert
    expect(counted('key:a')).toEqual({ requestsPerMinute: 1, tokensPerMinute: 1_200, tokensPerDay: 1_200 });
    expect(counted('account:acct')).toEqual({ requestsPerMinute: 1, tokensPerMinute: 1_200, tokensPerDay: 1_200 });
  });

  it.each<[string, () => Promise<{ usage?: { total_tokens: number } }>, number]>([
    ['corrects the estimate with the usage returned', () => Promise.resolve({ usage: { total_tokens: 300 } }), 300],
    ['keeps the estimate when the upstream reports no usage', () => Promise.resolve({}), 1_200],
    [
      'refunds the tokens of an attempt that failed, the request still counting',
      () => Promise.reject(new Error('503')),
      0,
    ],
  ])('%s', async (_name, call, expectedTokens) => {
    // Arrange
    const { subject, key, counted } = meter({ tokensPerDay: 1_000_000 });

    // Act
    await subject
      .track(
        key,
        () => 1_200,
        call,
        (result) => result.usage,
      )
      .catch(() => undefined);

    // Assert
    expect(counted('key:a')).toEqual({
      requestsPerMinute: 1,
      tokensPerMinute: expectedTokens,
      tokensPerDay: expectedTokens,
    });
  });

  it('settles a reservation once', () => {
    // Arrange
    const { subject, key, counted } = meter({ tokensPerDay: 1_000_000 });
    const reservation = subject.reserve(key, () => 1_000);

    // Act
    subject.settle(reservation, 400);
    subject.settle(reservation, 0);

    // Assert
    expect(counted('key:a').tokensPerDay).toBe(400);
  });

  it('emits 70, 85 and 95% of a budget once each', () => {
    // Arrange
    const { subject, key, crossings } = meter({ tokensPerDay: 1_000 });

    // Act
    for (let i = 0; i < 10; i++) subject.reserve(key, () => 100);

    // Assert
    expect(crossings.map((c) => [c.scope, c.limit, c.percent, c.used])).toEqual([
      ['key:a', 'tokensPerDay', 70, 700],
      ['key:a', 'tokensPerDay', 85, 900],
      ['key:a', 'tokensPerDay', 95, 1_000],
    ]);
  });
});
