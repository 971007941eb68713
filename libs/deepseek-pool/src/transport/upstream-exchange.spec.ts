import { afterEach, describe, expect, it } from '@jest/globals';
import { UpstreamError } from '../deepseek-pool.errors.js';
import { AttemptControl } from '../resilience/attempt-control.js';
import { keysOf, loopHarness } from '../resilience/attempt-loop.fixture.js';
import { bytesOf } from './byte-stream.fixture.js';
import type { Transport, TransportResponse } from './transport.js';
import { openExchange } from './upstream-exchange.js';

const clock = { now: () => Date.now() };

/** A transport that answers every request with `status` and `body`, as an upstream at the edge would. */
function answering(status: number, body: string): Transport {
  return {
    request: (): Promise<TransportResponse> =>
      Promise.resolve({ status, headers: { 'content-type': 'application/json' }, body: bytesOf(body) }),
    close: () => Promise.resolve(),
  };
}

describe('openExchange', () => {
  const harness = loopHarness({ keys: keysOf(1) });
  afterEach(() => harness.close());

  it("throws an error answer already redacted, as the failure the attempt's control hands on", async () => {
    // Arrange: the upstream quotes the key it was sent in its 401 (a revoked key's answer may).
    const slot = harness.slot('k0');
    const control = new AttemptControl(
      clock,
      undefined,
      Date.now() + 10_000,
      Date.now() + 20_000,
      harness.deps.redactor,
    );
    const apiKey = keysOf(1)[0].apiKey;
    const body = JSON.stringify({ error: { message: `Authentication Fails, key ${apiKey} is invalid`, type: 'x' } });
    let thrown: unknown;

    // Act
    try {
      await openExchange(
        answering(401, body),
        slot,
        control,
        1_000,
        { method: 'POST', path: '/chat/completions' },
        clock,
      );
    } catch (error) {
      thrown = error;
    }
    control.dispose();

    // Assert: built once, redacted: the control passes the same error on, with no copy.
    expect(thrown).toBeInstanceOf(UpstreamError);
    const failure = thrown as UpstreamError;
    expect(JSON.stringify([failure.message, failure.outcome, failure.body])).not.toContain(apiKey);
    expect(failure.outcome).toMatchObject({ kind: 'http', status: 401 });
    expect(control.failure(failure, slot.id)).toBe(failure);
  });
});
