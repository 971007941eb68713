import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { SlotReleases } from './slot-releases.js';

/** Fails the test from a handler a test does not await. */
function fail(error: unknown): never {
  throw error;
}

/** The labels of the given waits, in the order they end. */
function track(waits: Record<string, Promise<void>>): string[] {
  const ended: string[] = [];
  // A wait never rejects: it resolves at a release, its timeout or an abort.
  for (const [label, wait] of Object.entries(waits)) wait.then(() => ended.push(label), fail);
  return ended;
}

describe('SlotReleases', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('wakes every waiting caller at a release, oldest first, long before their timeout', async () => {
    // Arrange
    const releases = new SlotReleases();
    const ended = track({ first: releases.wait(1_000), second: releases.wait(1_000) });
    await jest.advanceTimersByTimeAsync(10);

    // Act
    releases.notify();
    await jest.advanceTimersByTimeAsync(0);

    // Assert
    expect(ended).toEqual(['first', 'second']);
  });

  it('ends a wait at its timeout when nothing is released', async () => {
    // Arrange
    const releases = new SlotReleases();
    const ended = track({ waiter: releases.wait(200) });

    // Act
    await jest.advanceTimersByTimeAsync(199);
    const before = [...ended];
    await jest.advanceTimersByTimeAsync(1);

    // Assert
    expect(before).toEqual([]);
    expect(ended).toEqual(['waiter']);
  });

  it('ends a wait when its caller aborts', async () => {
    // Arrange
    const releases = new SlotReleases();
    const controller = new AbortController();
    const ended = track({ waiter: releases.wait(1_000, controller.signal) });

    // Act
    controller.abort();
    await jest.advanceTimersByTimeAsync(0);

    // Assert
    expect(ended).toEqual(['waiter']);
  });

  it('wakes only the callers already waiting: a later wait needs the next release', async () => {
    // Arrange
    const releases = new SlotReleases();
    const early = track({ early: releases.wait(1_000) });
    releases.notify();
    const late = track({ late: releases.wait(1_000) });

    // Act
    await jest.advanceTimersByTimeAsync(0);
    const lateBeforeSecondRelease = [...late];
    releases.notify();
    await jest.advanceTimersByTimeAsync(0);

    // Assert
    expect(early).toEqual(['early']);
    expect(lateBeforeSecondRelease).toEqual([]);
    expect(late).toEqual(['late']);
  });

  it('leaves no timer behind once a release has woken the caller', async () => {
    // Arrange
    const releases = new SlotReleases();
    const waiting = releases.wait(60_000);

    // Act
    releases.notify();
    await waiting;

    // Assert
    expect(jest.getTimerCount()).toBe(0);
  });
});
