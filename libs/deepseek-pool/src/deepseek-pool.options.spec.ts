import { InvalidOptionsError } from './deepseek-pool.errors.js';
import { type DeepSeekPoolOptions, resolveOptions } from './deepseek-pool.options.js';

const SECRET = 'sk-verysecretkey0000000000001234';

describe('resolveOptions', () => {
  it('accepts a comma-separated key string, as from DEEPSEEK_API_KEYS', () => {
    const resolved = resolveOptions({ keys: ' sk-aaaaaaaaaaaaaaaa1111 , sk-bbbbbbbbbbbbbbbb2222,' });
    expect(resolved.keys.map((k) => [k.id, k.masked, k.baseUrl, k.account])).toEqual([
      ['key-1', 'sk-...1111', 'https://api.deepseek.com', 'key-1'],
      ['key-2', 'sk-...2222', 'https://api.deepseek.com', 'key-2'],
    ]);
  });

  it('applies every default', () => {
    const resolved = resolveOptions({ keys: [SECRET] });
    expect(resolved).toMatchObject({
      strategy: 'p2c-ewma',
      maxAttempts: 3,
      timeouts: { firstByteMs: 30_000, firstContentMs: 60_000, idleMs: 30_000, attemptMs: 300_000, requestMs: 600_000 },
      breaker: { volumeThreshold: 5, errorThresholdPercentage: 50, halfOpenMaxTrials: 3, halfOpenSuccessesToClose: 2 },
      retryBudget: { ratio: 0.2, minRetriesPerSecond: 10, windowMs: 10_000 },
      cooldown: { baseMs: 1_000, maxMs: 60_000, maxRetryAfterMs: 300_000 },
      limits: { maxResponseBytes: 32 * 1024 * 1024, maxSseLineBytes: 1024 * 1024, maxClientStallMs: 60_000 },
    });
    expect(resolved.keys[0]).toMatchObject({
      weight: 1,
      priority: 0,
      maxConcurrency: Infinity,
      models: undefined,
      continuation: 'deepseek-prefix',
    });
    expect([...resolved.keys[0].reasoningPrefixModels]).toEqual(['deepseek-reasoner']);
    expect(resolved.continuation).toEqual({ enabled: true, maxAttempts: 2 });
    expect(resolved.hedging).toEqual({
      enabled: true,
      percentile: 95,
      floorMs: 20,
      capMs: 10_000,
      minSamples: 20,
      windowMs: 30_000,
      minYield: 0.25,
      budget: { ratio: 0.05, minRetriesPerSecond: 1, windowMs: 10_000 },
    });
    expect(resolveOptions({ keys: [SECRET], hedging: false }).hedging.enabled).toBe(false);
  });

  it('continues on DeepSeek by default, elsewhere only when the key says how', () => {
    const resolved = resolveOptions({
      keys: [
        { id: 'official', apiKey: SECRET, baseUrl: 'https://api.deepseek.com/v1' },
        {
          id: 'vllm',
          apiKey: 'local-token-xyz1',
          baseUrl: 'http://10.0.0.5:8000/v1',
          continuation: 'continue-final-message',
        },
        { id: 'reseller', apiKey: 'local-token-xyz2', baseUrl: 'https://reseller.example/v1' },
      ],
    });
    expect(resolved.keys.map((k) => [k.id, k.continuation, k.reasoningPrefixModels.size])).toEqual([
      ['official', 'deepseek-prefix', 1],
      ['vllm', 'continue-final-message', 0],
      ['reseller', false, 0],
    ]);
  });

  it('keeps per-key settings for several instances', () => {
    const resolved = resolveOptions({
      keys: [
        { id: 'official', apiKey: SECRET, account: 'acct-a', weight: 3, maxConcurrency: 50 },
        {
          id: 'selfhosted',
          apiKey: 'local-token-xyz1',
          baseUrl: 'http://10.0.0.5:8000/v1/',
          priority: 1,
          models: ['ds-v4'],
          modelMap: { 'deepseek-v4-flash': 'ds-v4' },
        },
      ],
      accounts: { 'acct-a': { maxConcurrency: 40 } },
    });
    expect(resolved.keys[1]).toMatchObject({
      baseUrl: 'http://10.0.0.5:8000/v1',
      priority: 1,
      modelMap: { 'deepseek-v4-flash': 'ds-v4' },
    });
    expect(resolved.accountLimits.get('acct-a')).toBe(40);
  });

  it.each<[string, DeepSeekPoolOptions, string, RegExp]>([
    ['no keys', { keys: [] }, 'keys', /empty/],
    ['an empty key string', { keys: ' , ' }, 'keys', /empty/],
    ['a blank apiKey', { keys: [{ apiKey: '  ' }] }, 'keys[0].apiKey', /non-empty/],
    ['a duplicate key', { keys: [SECRET, SECRET] }, 'keys[1].apiKey', /duplicate key sk-\.\.\.1234/],
    [
      'a duplicate id',
      {
        keys: [
          { id: 'a', apiKey: SECRET },
          { id: 'a', apiKey: 'sk-other000000000' },
        ],
      },
      'keys[1].id',
      /duplicate id "a"/,
    ],
    ['weight 0', { keys: [{ apiKey: SECRET, weight: 0 }] }, 'keys[0].weight', /> 0/],
    ['a negative weight', { keys: [{ apiKey: SECRET, weight: -2 }] }, 'keys[0].weight', /> 0/],
    ['an unknown strategy', { keys: [SECRET], strategy: 'fastest' as never }, 'strategy', /unknown strategy "fastest"/],
    ['a negative timeout', { keys: [SECRET], timeouts: { firstByteMs: -1 } }, 'timeouts.firstByteMs', /> 0/],
    ['a bad base URL', { keys: [{ apiKey: SECRET, baseUrl: 'ftp://x' }] }, 'keys[0].baseUrl', /http/],
    [
      'credentials in a base URL',
      { keys: [{ apiKey: SECRET, baseUrl: `https://user:${SECRET}@x.io` }] },
      'keys[0].baseUrl',
      /credentials/,
    ],
    [
      'a fractional maxConcurrency',
      { keys: [{ apiKey: SECRET, maxConcurrency: 1.5 }] },
      'keys[0].maxConcurrency',
      /integer/,
    ],
    [
      'an account no key uses',
      { keys: [SECRET], accounts: { ghost: { maxConcurrency: 1 } } },
      'accounts.ghost',
      /no key/,
    ],
    ['zero attempts', { keys: [SECRET], retry: { maxAttempts: 0 } }, 'retry.maxAttempts', /integer > 0/],
    ['a negative wait for a key', { keys: [SECRET], retry: { maxWaitForKeyMs: -1 } }, 'retry.maxWaitForKeyMs', />= 0/],
    [
      'a retry budget ratio below 0',
      { keys: [SECRET], retry: { budget: { ratio: -1 } } },
      'retry.budget.ratio',
      />= 0/,
    ],
    ['a backoff of 0 ms', { keys: [SECRET], retry: { backoff: { baseMs: 0 } } }, 'retry.backoff.baseMs', /> 0/],
    ['a retry group that is not an object', { keys: [SECRET], retry: 3 as never }, 'retry', /object/],
    ['a health group that is not an object', { keys: [SECRET], health: [] as never }, 'health', /object/],
    ['a probe jitter of 1', { keys: [SECRET], health: { probe: { jitter: 1 } } }, 'health.probe.jitter', /\[0, 1\)/],
    [
      'an unknown validateOnStart mode',
      { keys: [SECRET], health: { validateOnStart: 'always' as never } },
      'health.validateOnStart',
      /require-one/,
    ],
    ['the flat maxAttempts of 0.x', { keys: [SECRET], maxAttempts: 2 } as never, 'maxAttempts', /retry\.maxAttempts/],
    ['the flat probe of 0.x', { keys: [SECRET], probe: false } as never, 'probe', /health\.probe/],
    [
      'more successes than trial calls',
      { keys: [SECRET], breaker: { halfOpenMaxTrials: 1, halfOpenSuccessesToClose: 2 } },
      'breaker.halfOpenSuccessesToClose',
      /<=/,
    ],
    [
      'an error threshold over 100',
      { keys: [SECRET], breaker: { errorThresholdPercentage: 120 } },
      'breaker.errorThresholdPercentage',
      /100/,
    ],
    ['a hedge percentile of 100', { keys: [SECRET], hedging: { percentile: 100 } }, 'hedging.percentile', /below 100/],
    [
      'a hedge cap below its floor',
      { keys: [SECRET], hedging: { floorMs: 50, capMs: 20 } },
      'hedging.capMs',
      /floorMs/,
    ],
    [
      'a negative hedge budget',
      { keys: [SECRET], hedging: { budget: { ratio: -0.1 } } },
      'hedging.budget.ratio',
      />= 0/,
    ],
    ['a hedge yield over 1', { keys: [SECRET], hedging: { minYield: 1.5 } }, 'hedging.minYield', /from 0 to 1/],
    ['a hedge yield that is NaN', { keys: [SECRET], hedging: { minYield: NaN } }, 'hedging.minYield', /from 0 to 1/],
    [
      'a non-boolean hedging.enabled',
      { keys: [SECRET], hedging: { enabled: 'yes' as never } },
      'hedging.enabled',
      /true or false/,
    ],
    [
      'an unknown continuation mode',
      { keys: [{ apiKey: SECRET, continuation: 'resume' as never }] },
      'keys[0].continuation',
      /deepseek-prefix/,
    ],
    [
      'reasoning prefix models without prefix completion',
      { keys: [{ apiKey: SECRET, continuation: 'continue-final-message', reasoningPrefixModels: ['r1'] }] },
      'keys[0].reasoningPrefixModels',
      /deepseek-prefix/,
    ],
    [
      'a non-boolean continuation.enabled',
      { keys: [SECRET], continuation: { enabled: 'yes' as never } },
      'continuation.enabled',
      /true or false/,
    ],
    [
      'zero continuations',
      { keys: [SECRET], continuation: { maxAttempts: 0 } },
      'continuation.maxAttempts',
      /integer > 0/,
    ],
    [
      'an infinite Retry-After cap',
      { keys: [SECRET], cooldown: { maxRetryAfterMs: Infinity } },
      'cooldown.maxRetryAfterMs',
      /> 0/,
    ],
    [
      'a response cap of 0 bytes',
      { keys: [SECRET], limits: { maxResponseBytes: 0 } },
      'limits.maxResponseBytes',
      /> 0/,
    ],
    [
      'an id equal to the key',
      { keys: [{ id: 'sk-abcdefgh12345678', apiKey: 'sk-abcdefgh12345678' }] },
      'keys[0].id',
      /must not be the API key/,
    ],
  ])('rejects %s, naming the field and never the secret', (_case, options, field, problem) => {
    let error: unknown;
    try {
      resolveOptions(options);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).field).toBe(field);
    expect((error as Error).message).toMatch(problem);
    expect((error as Error).message).toContain(`"${field}"`);
    expect((error as Error).message).not.toContain(SECRET);
    expect((error as Error).message).not.toContain('sk-abcdefgh12345678');
  });
});
