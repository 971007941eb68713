import { jest } from '@jest/globals';
import type { LoggerService } from '@nestjs/common';
import { mulberry32 } from 'nestjs-deepseek-pool-mock';
import { NoValidKeyError } from '../../deepseek-pool.errors.js';
import { resolveOptions } from '../../deepseek-pool.options.js';
import { type PoolCore, createPoolCore } from '../../core/pool-core.js';
import type { PoolKeys } from '../../core/pool-keys.js';
import { type ProbeKeyBehaviour, ProbeUpstream } from './probe-upstream.fixture.js';
import { type KeyVerdict, startupSummary, validateKeysAtStart } from './startup-validation.js';

const SECRETS = [
  'sk-startupkey00000000000001',
  'sk-startupkey00000000000002',
  'sk-startupkey00000000000003',
  'sk-startupkey00000000000004',
  'sk-startupkey00000000000005',
];
const SETTINGS = { timeoutMs: 5_000, balance: true, concurrency: 2, requireOne: false };

describe('validateKeysAtStart', () => {
  let core: PoolCore;
  let pool: PoolKeys;
  let lines: Array<[string, string]>;
  const logger: LoggerService = {
    log: (message: unknown) => void lines.push(['log', String(message)]),
    warn: (message: unknown) => void lines.push(['warn', String(message)]),
    error: (message: unknown) => void lines.push(['error', String(message)]),
  };

  function setup(behaviours: Array<Partial<ProbeKeyBehaviour>>): ProbeUpstream {
    const upstream = new ProbeUpstream();
    behaviours.forEach((behaviour, i) => upstream.set(SECRETS[i], behaviour));
    lines = [];
    core = createPoolCore(
      resolveOptions({
        keys: SECRETS.slice(0, behaviours.length),
        transport: upstream,
        logger: false,
        rng: mulberry32(1),
      }),
    );
    pool = core.keys;
    return upstream;
  }

  afterEach(() => core.close());

  it('disables rejected keys and reports them by id in one log line; unreachable keys stay in rotation', async () => {
    setup([{}, { models: 401 }, {}, { balance: false }, { models: 'network' }]);
    const verdicts = await validateKeysAtStart(pool, SETTINGS, logger);
    expect(verdicts.map((v) => v.verdict)).toEqual(['valid', 'rejected', 'valid', 'rejected', 'unchecked']);
    expect(lines).toEqual([
      [
        'warn',
        '2 of 5 keys rejected at start: key-2 (401 revoked), key-4 (402 insufficient balance); 1 of 5 keys could not be checked (kept in rotation): key-5 (unreachable)',
      ],
    ]);
    expect(pool.snapshot().keys.map((k) => [k.id, k.state, k.disabledReason])).toEqual([
      ['key-1', 'ready', undefined],
      ['key-2', 'disabled', 'revoked'],
      ['key-3', 'ready', undefined],
      ['key-4', 'disabled', 'insufficient-balance'],
      ['key-5', 'ready', undefined],
    ]);
    expect(lines.flat().join('\n')).not.toMatch(new RegExp(SECRETS.join('|')));
  });

  it('checks the keys concurrently, a few at a time, each within the timeout', async () => {
    jest.useFakeTimers();
    const upstream = setup([{ models: 'hang' }, { models: 'hang' }, { models: 'hang' }]);
    const validation = validateKeysAtStart(pool, SETTINGS, logger);
    await jest.advanceTimersByTimeAsync(0);
    expect(upstream.inFlight).toBe(2);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(upstream.inFlight).toBe(1);
    await jest.advanceTimersByTimeAsync(5_000);
    await expect(validation).resolves.toEqual(
      ['key-1', 'key-2', 'key-3'].map((id) => ({ id, verdict: 'unchecked', detail: 'timeout' })),
    );
    jest.useRealTimers();
  });

  it('logs one plain line when every key is valid', async () => {
    setup([{}, {}]);
    await validateKeysAtStart(pool, SETTINGS, logger);
    expect(lines).toEqual([['log', 'All 2 keys valid at start']]);
  });

  it("with 'require-one' fails the start when no key is valid, naming each key's problem", async () => {
    setup([{ models: 401 }, { models: 'network' }, { models: 403 }]);
    const error = await validateKeysAtStart(pool, { ...SETTINGS, requireOne: true }, logger).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoValidKeyError);
    expect(error).toMatchObject({
      code: 'NO_VALID_KEY',
      message:
        "No valid DeepSeek key at start (health.validateOnStart: 'require-one'): key-1 (401 revoked), key-2 (unreachable), key-3 (403 forbidden)",
    });
  });

  it("with 'require-one' starts when one key is valid", async () => {
    setup([{ models: 401 }, {}]);
    await expect(validateKeysAtStart(pool, { ...SETTINGS, requireOne: true }, logger)).resolves.toHaveLength(2);
  });

  it('skips keys an operator already disabled', async () => {
    const upstream = setup([{}, {}]);
    pool.disableKey('key-2', 'manual');
    await validateKeysAtStart(pool, SETTINGS, logger);
    expect(upstream.callsTo(SECRETS[1])).toBe(0);
  });
});

describe('startupSummary', () => {
  it.each<[string, KeyVerdict[], { level: 'log' | 'warn'; message: string }]>([
    ['all valid', [{ id: 'a', verdict: 'valid' }], { level: 'log', message: 'All 1 keys valid at start' }],
    [
      'only unchecked',
      [
        { id: 'a', verdict: 'valid' },
        { id: 'b', verdict: 'unchecked', detail: 'timeout' },
      ],
      { level: 'warn', message: '1 of 2 keys could not be checked (kept in rotation): b (timeout)' },
    ],
    [
      'only rejected',
      [
        { id: 'a', verdict: 'rejected', reason: 'revoked', status: 401 },
        { id: 'b', verdict: 'unchecked', detail: 'HTTP 503' },
      ],
      {
        level: 'warn',
        message:
          '1 of 2 keys rejected at start: a (401 revoked); 1 of 2 keys could not be checked (kept in rotation): b (HTTP 503)',
      },
    ],
  ])('%s', (_name, verdicts, expected) => {
    expect(startupSummary(verdicts)).toEqual(expected);
  });
});
