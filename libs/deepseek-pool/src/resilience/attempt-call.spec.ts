import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { UpstreamError } from '../deepseek-pool.errors.js';
import { markTried } from './attempt-call.js';
import { keysOf, loopHarness } from './attempt-loop.fixture.js';

describe('markTried', () => {
  let harness: ReturnType<typeof loopHarness>;
  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
    harness = loopHarness({ keys: keysOf(3) });
  });
  afterEach(() => {
    harness.close();
    jest.useRealTimers();
  });

  it('adds keys to one call only: calls that tried none share nothing they can change', () => {
    // Arrange
    const [first, second] = [harness.call(), harness.call()];

    // Act
    markTried(first, harness.slot('k0'));
    markTried(first, harness.slot('k1'));
    const third = harness.call();

    // Assert
    expect([...first.tried].map((slot) => slot.id)).toEqual(['k0', 'k1']);
    expect(second.tried.size).toBe(0);
    expect(third.tried.size).toBe(0);
  });

  it("starts a continuation's call with the keys it avoids", () => {
    // Arrange
    const avoided = harness.slot('k2');

    // Act
    const after = new UpstreamError('stream broke', { kind: 'network', code: 'ECONNRESET' }, 'k2', undefined);
    const call = harness.call({ continuing: { after, avoid: [avoided], accepts: () => true } });
    markTried(call, harness.slot('k0'));

    // Assert
    expect([...call.tried].map((slot) => slot.id)).toEqual(['k2', 'k0']);
  });
});
