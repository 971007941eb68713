import { describe, expect, it } from '@jest/globals';
import { type DeepSeekPoolOptions, resolveOptions } from '../deepseek-pool.options.js';

const base = (extra: Partial<DeepSeekPoolOptions>): DeepSeekPoolOptions => ({
  keys: [{ id: 'a', apiKey: 'sk-aaaaaaaaaaaa', account: 'acct' }],
  ...extra,
});

describe('rate and quota limit options', () => {
  it('reads key and account limits', () => {
    // Act
    const options = resolveOptions({
      keys: [
        {
          id: 'a',
          apiKey: 'sk-aaaaaaaaaaaa',
          account: 'acct',
          limits: { requestsPerMinute: 60, tokensPerMinute: 100_000 },
        },
      ],
      accounts: { acct: { maxConcurrency: 10, limits: { tokensPerDay: 5_000_000 } } },
    });

    // Assert
    expect(options.keys[0].limits).toEqual({ requestsPerMinute: 60, tokensPerMinute: 100_000 });
    expect(options.accountUsageLimits.get('acct')).toEqual({ tokensPerDay: 5_000_000 });
  });

  it('applies the token estimate defaults', () => {
    // Act / Assert
    expect(resolveOptions(base({})).tokenEstimate).toEqual({ charsPerToken: 4, completionTokens: 1_024 });
  });

  it.each<[string, Partial<DeepSeekPoolOptions>, RegExp]>([
    [
      'a key limit that is not a positive integer',
      { keys: [{ apiKey: 'sk-aaaaaaaaaaaa', limits: { requestsPerMinute: 0 } }] },
      /"keys\[0\]\.limits\.requestsPerMinute"/,
    ],
    [
      'an unknown key limit',
      { keys: [{ apiKey: 'sk-aaaaaaaaaaaa', limits: { tokensPerHour: 5 } as never }] },
      /"keys\[0\]\.limits\.tokensPerHour"/,
    ],
    [
      'limits that are not an object',
      { keys: [{ apiKey: 'sk-aaaaaaaaaaaa', limits: 5 as never }] },
      /"keys\[0\]\.limits"/,
    ],
    [
      'an account limit that is not an integer',
      { accounts: { acct: { limits: { tokensPerDay: 1.5 } } } },
      /"accounts\.acct\.limits\.tokensPerDay"/,
    ],
    [
      'a token estimate of 0 chars per token',
      { tokenEstimate: { charsPerToken: 0 } },
      /"tokenEstimate\.charsPerToken"/,
    ],
    ['an affinity that is neither "user" nor a function', { affinity: 'session' as never }, /"affinity"/],
  ])('names the field of %s', (_name, extra, message) => {
    // Act / Assert
    expect(() => resolveOptions(base(extra))).toThrow(message);
  });
});
