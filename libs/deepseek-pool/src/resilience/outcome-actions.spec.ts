import { describe, expect, it } from '@jest/globals';
import { PoolEvents } from '../deepseek-pool.events.js';
import { MemoryStateStore } from '../state/memory-state-store.js';
import type { DisabledState } from '../state/pool-state-store.js';
import { type ActionContext, type PenalizedKey, applyAction } from './outcome-actions.js';
import type { Action } from './outcome.js';

const NOW = 1_000_000;
/** Cooldowns: base 1 s, cap 60 s, hints capped at 5 min; backoff: base 50 ms. The rng always draws 0.5. */
const COOLDOWN = { baseMs: 1_000, maxMs: 60_000, maxRetryAfterMs: 300_000 };
const BACKOFF = { baseMs: 50, maxMs: 1_000 };
/** Keys k1 and k2 share account A; k3 is alone on B. */
const ACCOUNTS: Record<string, string[]> = { A: ['k1', 'k2'], B: ['k3'] };

/** What an action left behind: cooldowns by scope, disables by key, learned account limits, events. */
interface Effects {
  cooldowns: Record<string, number>;
  disabled: Record<string, string>;
  learned: Array<[string, number]>;
  consecutive: number;
  events: unknown[];
}

/** Applies `action` to key k1 (account A), `before` 429s in a row, sent as the account's `inFlightAtSend`-th call. */
function apply(action: Action, before = 0, inFlightAtSend = 1, arrange?: (store: MemoryStateStore) => void): Effects {
  const store = new MemoryStateStore();
  arrange?.(store);
  const events = new PoolEvents();
  const effects: Effects = { cooldowns: {}, disabled: {}, learned: [], consecutive: 0, events: [] };
  events.on('key.cooldown', (e) => effects.events.push(['key.cooldown', e]));
  events.on('key.disabled', (e) => effects.events.push(['key.disabled', e]));
  const ctx: ActionContext = {
    store,
    clock: { now: () => NOW },
    rng: () => 0.5,
    cooldown: COOLDOWN,
    backoff: BACKOFF,
    events,
    slotsOfAccount: (account) => (ACCOUNTS[account] ?? []).map((id) => ({ id })),
    learnAccountLimit: (account, limit) => effects.learned.push([account, limit]),
  };
  const slot: PenalizedKey = { id: 'k1', config: { account: 'A' }, consecutiveRateLimits: before };

  applyAction(action, slot, ctx, inFlightAtSend);

  for (const scope of ['key:k1', 'key:k2', 'key:k3', 'account:A', 'account:B']) {
    const until = store.cooldownUntil(scope);
    if (until > 0) effects.cooldowns[scope] = until;
  }
  for (const id of ['k1', 'k2', 'k3']) {
    const state = store.disabled(id);
    if (state) effects.disabled[id] = state.reason;
  }
  effects.consecutive = slot.consecutiveRateLimits;
  return effects;
}

const cooled = (scope: string, forMs: number, consecutive: number) => ({
  cooldowns: { [scope]: NOW + forMs },
  disabled: {},
  learned: [],
  consecutive,
  events: [['key.cooldown', { scope, untilMs: NOW + forMs, consecutive }]],
});

describe('applyAction', () => {
  // A cooldown after the n-th 429 in a row: half of min(60 s, 1 s * 2^(n-1)) plus half of it times the rng (0.5).
  it.each<[string, Action, number, Effects]>([
    ['429: the key cools down 750 ms', { type: 'cooldown', scope: 'key' }, 0, cooled('key:k1', 750, 1)],
    ['a second 429 in a row: 1.5 s', { type: 'cooldown', scope: 'key' }, 1, cooled('key:k1', 1_500, 2)],
    ['the tenth in a row: capped at 60 s (45 s)', { type: 'cooldown', scope: 'key' }, 9, cooled('key:k1', 45_000, 10)],
    [
      'a Retry-After hint longer than the cooldown: the hint',
      { type: 'cooldown', scope: 'key', floorMs: 5_000 },
      0,
      cooled('key:k1', 5_000, 1),
    ],
    [
      'a Retry-After hint shorter than the cooldown: the cooldown',
      { type: 'cooldown', scope: 'key', floorMs: 100 },
      0,
      cooled('key:k1', 750, 1),
    ],
    [
      'a Retry-After hint over maxRetryAfterMs: capped at 5 min',
      { type: 'cooldown', scope: 'key', floorMs: 3_600_000 },
      0,
      cooled('key:k1', 300_000, 1),
    ],
    [
      'a non-finite Retry-After hint: ignored',
      { type: 'cooldown', scope: 'key', floorMs: Infinity },
      0,
      cooled('key:k1', 750, 1),
    ],
    [
      'an account-wide 429: the account cools down',
      { type: 'cooldown', scope: 'account' },
      0,
      cooled('account:A', 750, 1),
    ],
    [
      'the concurrency 429: the account pauses one backoff step (37.5 ms), 429s in a row unchanged',
      { type: 'saturated', limit: 39 },
      2,
      { ...cooled('account:A', 37.5, 2), learned: [['A', 9]] },
    ],
    [
      'the concurrency 429 with a Retry-After hint: the hint',
      { type: 'saturated', limit: 39, floorMs: 2_000 },
      0,
      { ...cooled('account:A', 2_000, 0), learned: [['A', 9]] },
    ],
    [
      'the concurrency 429 stating the current count: the share left by the others',
      { type: 'saturated', limit: 39, current: 45 },
      0,
      { ...cooled('account:A', 37.5, 0), learned: [['A', 4]] },
    ],
    [
      '401: the key is disabled as revoked',
      { type: 'disable', reason: 'revoked', scope: 'key' },
      0,
      {
        cooldowns: {},
        disabled: { k1: 'revoked' },
        learned: [],
        consecutive: 0,
        events: [['key.disabled', { keyId: 'k1', reason: 'revoked' }]],
      },
    ],
    [
      '402: every key of the account is disabled, no other',
      { type: 'disable', reason: 'insufficient-balance', scope: 'account' },
      0,
      {
        cooldowns: {},
        disabled: { k1: 'insufficient-balance', k2: 'insufficient-balance' },
        learned: [],
        consecutive: 0,
        events: [
          ['key.disabled', { keyId: 'k1', reason: 'insufficient-balance' }],
          ['key.disabled', { keyId: 'k2', reason: 'insufficient-balance' }],
        ],
      },
    ],
    [
      'a breaker failure: no shared state',
      { type: 'breaker-failure' },
      3,
      { cooldowns: {}, disabled: {}, learned: [], consecutive: 3, events: [] },
    ],
    [
      "the caller's fault: nothing",
      { type: 'return' },
      0,
      { cooldowns: {}, disabled: {}, learned: [], consecutive: 0, events: [] },
    ],
  ])('%s', (_name, action, before, expected) => {
    // Act: 10 calls in flight on the account when the failed one was sent
    const effects = apply(action, before, 10);

    // Assert
    expect(effects).toEqual(expected);
  });

  it.each<[string, DisabledState['reason'], string[]]>([
    ['skips a key already disabled for the same reason (no second event)', 'insufficient-balance', ['k1']],
    ['disables again a key disabled for another reason', 'manual', ['k1', 'k2']],
  ])('402 on an account: %s', (_name, k2Reason, expectedEvents) => {
    // Arrange: k2 already disabled
    const arrange = (store: MemoryStateStore) => store.disable('k2', { reason: k2Reason, sinceMs: NOW - 1 });

    // Act
    const effects = apply({ type: 'disable', reason: 'insufficient-balance', scope: 'account' }, 0, 1, arrange);

    // Assert
    expect(effects.disabled).toEqual({ k1: 'insufficient-balance', k2: 'insufficient-balance' });
    expect(effects.events.map((e) => (e as [string, { keyId: string }])[1].keyId)).toEqual(expectedEvents);
  });

  it('never shortens a cooldown already running', () => {
    // Arrange: the key cools for another minute
    const arrange = (store: MemoryStateStore) => store.cooldown('key:k1', NOW + 60_000);

    // Act
    const effects = apply({ type: 'cooldown', scope: 'key' }, 0, 1, arrange);

    // Assert
    expect(effects.cooldowns).toEqual({ 'key:k1': NOW + 60_000 });
    expect(effects.events).toEqual([['key.cooldown', { scope: 'key:k1', untilMs: NOW + 60_000, consecutive: 1 }]]);
  });
});
