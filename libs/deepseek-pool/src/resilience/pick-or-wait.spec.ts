import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import {
  AttemptsExhaustedError,
  DeadlineExceededError,
  InvalidRequestError,
  NoAvailableKeyError,
  RequestAbortedError,
  UpstreamError,
} from '../deepseek-pool.errors.js';
import type { Unavailability } from '../routing/router.js';
import { keysOf, loopHarness } from './attempt-loop.fixture.js';
import type { KeySlot } from '../keys/key-slot.js';
import type { Call } from './attempt-call.js';
import { type PickDeps, keyWaitMs, pickOrWait } from './pick-or-wait.js';

const why = (fields: Partial<Unavailability>): Unavailability => ({
  retryAfterMs: undefined,
  rateLimited: false,
  reasons: {},
  serving: 1,
  ...fields,
});
const failed = new UpstreamError('HTTP 503', { kind: 'http', status: 503 }, 'k0', undefined);

/** The step as a promise: a call that ends throws at once, before any wait. */
async function pick(call: Call<unknown>, deps: PickDeps): Promise<KeySlot> {
  return pickOrWait(call, deps);
}

describe('keyWaitMs', () => {
  it.each<[string, Unavailability, number | undefined]>([
    ['a key cooling: until it is back', why({ retryAfterMs: 1_200, reasons: { cooling: 1 } }), 1_200],
    [
      'a key saturated: a backoff step, whatever the cooldowns say',
      why({ retryAfterMs: 9_000, reasons: { saturated: 1 } }),
      7,
    ],
    ['a saturated key and nothing known: a backoff step', why({ reasons: { saturated: 2 } }), 7],
    ['keys disabled: none expected back, no wait', why({ reasons: { disabled: 2 } }), undefined],
  ])('%s', (_name, unavailability, expected) => {
    expect(keyWaitMs(unavailability, () => 7)).toBe(expected);
  });
});

describe('pickOrWait (fake timers)', () => {
  let harness: ReturnType<typeof loopHarness>;
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    harness.close();
    jest.useRealTimers();
  });

  it('picks an eligible key and takes a place in its account', async () => {
    // Arrange
    harness = loopHarness({ keys: keysOf(2) });

    // Act
    const slot = await pick(harness.call(), harness.deps);

    // Assert
    expect(['k0', 'k1']).toContain(slot.id);
    expect(harness.store.accountInFlight(slot.config.account)).toBe(1);
  });

  it('answers at once, not with a promise, when the store does (the attempt starts in the turn of its pick)', () => {
    // Arrange
    harness = loopHarness({ keys: keysOf(2) });

    // Act
    const picked = pickOrWait(harness.call(), harness.deps);

    // Assert
    expect(picked).not.toBeInstanceOf(Promise);
  });

  it.each<[string, number[] | undefined, string[]]>([
    ['every priority without `priorities`: the first priority serves', undefined, ['k0', 'k1']],
    ['only the priorities a call may use: priority 1', [1], ['k2', 'k3']],
    ['several priorities: the first allowed one serves', [1, 2], ['k2', 'k3']],
  ])('%s', async (_name, priorities, expected) => {
    // Arrange: priorities 0, 1 and 2 of two keys each, every key healthy
    harness = loopHarness({ keys: keysOf(6, (i) => ({ priority: Math.floor(i / 2) })) });

    // Act
    const picked = new Set<string>();
    for (let i = 0; i < 10; i++)
      picked.add((await pick(harness.call(priorities ? { priorities } : {}), harness.deps)).id);

    // Assert
    expect([...picked].sort()).toEqual(expected);
  });

  it('skips a key whose account turns out full when its place is taken, and takes another', async () => {
    // Arrange: k0 and k1 share account A, whose last place another replica takes between the pick and the acquire
    harness = loopHarness({ keys: keysOf(3, (i) => ({ account: i < 2 ? 'A' : 'B' })) });
    jest.spyOn(harness.store, 'tryAcquireAccount').mockImplementation((account) => account !== 'A');
    const call = harness.call();

    // Act
    const picked = new Set<string>();
    for (let i = 0; i < 5; i++) picked.add((await pick(call, harness.deps)).id);

    // Assert
    expect([...picked]).toEqual(['k2']);
  });

  it.each<[string, (h: ReturnType<typeof loopHarness>) => void, RegExp]>([
    [
      'every key disabled',
      (h) => h.store.disable('k0', { reason: 'revoked', sinceMs: 0 }),
      /No key can serve model "deepseek-v4-flash" now \(1 disabled\)/,
    ],
    ['no key serves the model', () => undefined, /not served by any key/],
  ])('throws at once when no key is expected back: %s', async (name, arrange, message) => {
    // Arrange
    const keys = name.includes('model') ? [{ ...keysOf(1)[0], models: ['other'] }] : keysOf(1);
    harness = loopHarness({ keys });
    arrange(harness);

    // Act
    const picking = pick(harness.call(), harness.deps);

    // Assert
    await expect(picking).rejects.toThrow(message);
    await expect(picking).rejects.toBeInstanceOf(name.includes('model') ? InvalidRequestError : NoAvailableKeyError);
  });

  it('reports no key for a call whose priorities have no eligible key, though other priorities do', async () => {
    // Arrange
    harness = loopHarness({ keys: keysOf(4, (i) => ({ priority: i < 2 ? 0 : 1 })), retry: { maxWaitForKeyMs: 0 } });
    harness.store.disable('k2', { reason: 'manual', sinceMs: 0 });
    harness.store.disable('k3', { reason: 'manual', sinceMs: 0 });

    // Act / Assert
    await expect(pick(harness.call({ priorities: [1] }), harness.deps)).rejects.toThrow(
      'No key can serve model "deepseek-v4-flash" now (2 disabled)',
    );
  });

  it('waits for a cooling key until its cooldown ends', async () => {
    // Arrange
    harness = loopHarness({ keys: keysOf(1), retry: { maxWaitForKeyMs: 5_000 } });
    harness.store.cooldown('key:k0', Date.now() + 2_000);

    // Act
    let picked: string | undefined;
    const picking = pick(harness.call(), harness.deps).then((slot) => (picked = slot.id));
    await jest.advanceTimersByTimeAsync(1_990);
    const early = picked;
    await jest.advanceTimersByTimeAsync(20);

    // Assert
    expect(early).toBeUndefined();
    expect(await picking).toBe('k0');
  });

  it('gives up at once when the key is back only after maxWaitForKeyMs, saying when', async () => {
    // Arrange
    harness = loopHarness({ keys: keysOf(1), retry: { maxWaitForKeyMs: 1_000 } });
    harness.store.cooldown('key:k0', Date.now() + 2_000);

    // Act
    const error = await pick(harness.call(), harness.deps).catch((e: unknown) => e);

    // Assert
    expect(error).toBeInstanceOf(NoAvailableKeyError);
    expect((error as NoAvailableKeyError).retryAfterMs).toBe(2_000);
  });

  it('wakes a caller waiting for a saturated key as soon as a slot is released', async () => {
    // Arrange: one key, one place, taken
    harness = loopHarness({ keys: [{ ...keysOf(1)[0], maxConcurrency: 1 }] });
    const slot = harness.slot('k0');
    slot.inFlight = 1;

    // Act
    let picked = false;
    const picking = pick(harness.call(), harness.deps).then(() => (picked = true));
    await jest.advanceTimersByTimeAsync(0);
    const early = picked;
    slot.inFlight = 0;
    harness.deps.releases.notify();
    await jest.advanceTimersByTimeAsync(0);

    // Assert
    expect(early).toBe(false);
    expect(picked).toBe(true);
    await picking;
  });

  it.each<[string, () => { signal?: AbortSignal; timeoutMs?: number }, unknown]>([
    ['the caller aborted', () => ({ signal: AbortSignal.abort() }), RequestAbortedError],
    ['the deadline passed', () => ({ timeoutMs: 0 }), DeadlineExceededError],
  ])('ends the call before a pick when %s', async (_name, options, expected) => {
    // Arrange
    harness = loopHarness({ keys: keysOf(2) });

    // Act / Assert
    await expect(pick(harness.call(options()), harness.deps)).rejects.toBeInstanceOf(expected);
  });

  it('ends the call when its attempts are spent, with the last failure', async () => {
    // Arrange: maxAttempts 2, two attempts failed
    harness = loopHarness({ keys: keysOf(3), retry: { maxAttempts: 2 } });
    const call = harness.call();
    call.trace.push({ keyId: 'k0', outcome: 'http', latencyMs: 1 }, { keyId: 'k1', outcome: 'http', latencyMs: 1 });
    call.lastError = failed;

    // Act
    const error = await pick(call, harness.deps).catch((e: unknown) => e);

    // Assert
    expect(error).toBeInstanceOf(AttemptsExhaustedError);
    expect((error as AttemptsExhaustedError).message).toBe('All attempts failed (max attempts reached): HTTP 503');
    expect((error as AttemptsExhaustedError).lastError).toBe(failed);
  });

  it('spends a retry from the retry budget, and ends the call once it is spent; a first attempt spends none', async () => {
    // Arrange: a budget of no retries at all
    harness = loopHarness({ keys: keysOf(2), retry: { budget: { ratio: 0, minRetriesPerSecond: 0 } } });
    const retry = harness.call();
    retry.trace.push({ keyId: 'k0', outcome: 'http', latencyMs: 1 });
    retry.lastError = failed;

    // Act / Assert
    await expect(pick(harness.call(), harness.deps)).resolves.toBeDefined();
    await expect(pick(retry, harness.deps)).rejects.toThrow('All attempts failed (retry budget spent): HTTP 503');
  });
});
