import { describe, expect, it } from '@jest/globals';
import { MemoryStateStore } from './memory-state-store.js';

describe('MemoryStateStore account slots', () => {
  it('takes slots up to the limit and gives them back, per account', () => {
    // Arrange
    const store = new MemoryStateStore();

    // Act
    const taken = [store.tryAcquireAccount('a', 2), store.tryAcquireAccount('a', 2), store.tryAcquireAccount('a', 2)];
    const other = store.tryAcquireAccount('b', 2);
    store.releaseAccount('a');

    // Assert
    expect(taken).toEqual([true, true, false]);
    expect(other).toBe(true);
    expect([store.accountInFlight('a'), store.accountInFlight('b')]).toEqual([1, 1]);
    expect(store.tryAcquireAccount('a', 2)).toBe(true);
  });

  it('counts an idle account as 0, however many calls came and went, and never below 0', () => {
    // Arrange
    const store = new MemoryStateStore();
    for (let i = 0; i < 3; i++) {
      store.tryAcquireAccount('a', 1);
      store.releaseAccount('a');
    }

    // Act
    store.releaseAccount('a');
    store.releaseAccount('never-used');

    // Assert
    expect(store.accountInFlight('a')).toBe(0);
    expect(store.accountInFlight('never-used')).toBe(0);
    expect(store.tryAcquireAccount('a', 1)).toBe(true);
    expect(store.tryAcquireAccount('a', 1)).toBe(false);
  });
});
