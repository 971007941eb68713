import type { KeySnapshot, KeyState, PoolSnapshot } from '../pool-snapshot.js';
import { InvalidOptionsError } from '../deepseek-pool.errors.js';
import {
  type PoolHealthStatus,
  assessPool,
  isServing,
  minHealthyKeysOf,
  poolHealthStatus,
} from './pool-health-status.js';

function key(id: string, state: KeyState, extra: Partial<KeySnapshot> = {}): KeySnapshot {
  return {
    id,
    maskedKey: `sk-...${id.slice(-4).padStart(4, '0')}`,
    account: id,
    priority: 0,
    weight: 1,
    state,
    breaker: state === 'open' ? 'open' : state === 'half-open' ? 'half-open' : 'closed',
    inFlight: 0,
    maxConcurrency: null,
    latencyEwmaMs: 12.5,
    errorRate: 0,
    windowCalls: 0,
    tokens: { prompt: 0, completion: 0, cacheHit: 0, cacheMiss: 0, reasoning: 0 },
    ...extra,
  };
}

function pool(...keys: KeySnapshot[]): PoolSnapshot {
  return { strategy: 'p2c-ewma', total: keys.length, available: 0, keys };
}

describe('poolHealthStatus', () => {
  it.each<[number, number, number, PoolHealthStatus]>([
    [3, 3, 1, 'up'],
    [2, 3, 1, 'degraded'],
    [1, 3, 1, 'degraded'],
    [0, 3, 1, 'down'],
    [3, 5, 3, 'degraded'],
    [2, 5, 3, 'down'],
    [5, 5, 3, 'up'],
    [2, 2, 3, 'down'],
    [0, 0, 1, 'down'],
  ])('%i of %i serving, min %i -> %s', (serving, total, min, expected) => {
    expect(poolHealthStatus(serving, total, min)).toBe(expected);
  });
});

describe('isServing', () => {
  it.each<[KeyState, boolean]>([
    ['ready', true],
    ['half-open', true],
    ['saturated', true],
    ['cooling', false],
    ['open', false],
    ['disabled', false],
  ])('%s -> %s', (state, expected) => {
    expect(isServing({ state })).toBe(expected);
  });
});

describe('minHealthyKeysOf', () => {
  it('defaults to 1 and rejects anything but an integer >= 1, naming the option', () => {
    expect(minHealthyKeysOf(undefined)).toBe(1);
    expect(minHealthyKeysOf(3)).toBe(3);
    for (const bad of [0, -1, 1.5, '2', Number.NaN]) {
      expect(() => minHealthyKeysOf(bad)).toThrow(InvalidOptionsError);
      expect(() => minHealthyKeysOf(bad)).toThrow(/minHealthyKeys/);
    }
  });
});

describe('assessPool', () => {
  it('gives each key by id and masked key: state, breaker, cooldown end (ISO), disabled reason, latency, error rate', () => {
    const { status, details } = assessPool(
      pool(
        key('key-1', 'ready'),
        key('key-2', 'cooling', { cooldownUntilMs: Date.UTC(2026, 0, 2, 3, 4, 5) }),
        key('key-3', 'disabled', { disabledReason: 'revoked', errorRate: 0.5 }),
      ),
      1,
    );
    expect(status).toBe('degraded');
    expect(details).toEqual({
      servingKeys: 1,
      totalKeys: 3,
      minHealthyKeys: 1,
      keys: {
        'key-1': {
          maskedKey: 'sk-...ey-1',
          account: 'key-1',
          state: 'ready',
          breaker: 'closed',
          latencyEwmaMs: 12.5,
          errorRate: 0,
          inFlight: 0,
        },
        'key-2': {
          maskedKey: 'sk-...ey-2',
          account: 'key-2',
          state: 'cooling',
          breaker: 'closed',
          cooldownUntil: '2026-01-02T03:04:05.000Z',
          latencyEwmaMs: 12.5,
          errorRate: 0,
          inFlight: 0,
        },
        'key-3': {
          maskedKey: 'sk-...ey-3',
          account: 'key-3',
          state: 'disabled',
          breaker: 'closed',
          disabledReason: 'revoked',
          latencyEwmaMs: 12.5,
          errorRate: 0.5,
          inFlight: 0,
        },
      },
    });
  });

  it('leaves out a cooldown end no date can hold instead of failing the health check', () => {
    const { details } = assessPool(pool(key('a', 'cooling', { cooldownUntilMs: 1e26 })), 1);
    expect(details.keys.a).not.toHaveProperty('cooldownUntil');
  });

  it('is up when every key serves, down when none does', () => {
    expect(assessPool(pool(key('a', 'ready'), key('b', 'saturated')), 1).status).toBe('up');
    expect(assessPool(pool(key('a', 'open'), key('b', 'disabled')), 1).status).toBe('down');
  });

  it('keeps an id like __proto__ as a plain key of the details', () => {
    const { details } = assessPool(pool(key('__proto__', 'ready')), 1);
    expect(Object.keys(details.keys)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(details.keys)).toBe(Object.prototype);
  });
});
