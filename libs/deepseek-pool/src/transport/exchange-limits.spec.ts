import { describe, expect, it } from '@jest/globals';
import { InvalidOptionsError } from '../deepseek-pool.errors.js';
import { DEFAULT_EXCHANGE_LIMITS, resolveExchangeLimits } from './exchange-limits.js';

describe('resolveExchangeLimits', () => {
  it('defaults to 32 MiB bodies, 1 MiB SSE lines and a 60 s reader stall', () => {
    // Act
    const limits = resolveExchangeLimits(undefined);

    // Assert
    expect(limits).toEqual({ maxResponseBytes: 33_554_432, maxSseLineBytes: 1_048_576, maxClientStallMs: 60_000 });
  });

  it('keeps the defaults of the fields left out', () => {
    // Act
    const limits = resolveExchangeLimits({ maxResponseBytes: 1_000 });

    // Assert
    expect(limits).toEqual({ ...DEFAULT_EXCHANGE_LIMITS, maxResponseBytes: 1_000 });
  });

  it.each<[string, unknown, string]>([
    ['not an object', 5, 'limits'],
    ['an unknown field', { maxBodyBytes: 1 }, 'limits.maxBodyBytes'],
    ['a zero body size', { maxResponseBytes: 0 }, 'limits.maxResponseBytes'],
    ['a fractional line size', { maxSseLineBytes: 1.5 }, 'limits.maxSseLineBytes'],
    ['an infinite stall', { maxClientStallMs: Infinity }, 'limits.maxClientStallMs'],
    ['a stall given as text', { maxClientStallMs: '60s' }, 'limits.maxClientStallMs'],
  ])('rejects %s, naming the field', (_name, value, field) => {
    // Act
    const resolve = () => resolveExchangeLimits(value);

    // Assert
    expect(resolve).toThrow(InvalidOptionsError);
    expect(resolve).toThrow(`"${field}"`);
  });
});
