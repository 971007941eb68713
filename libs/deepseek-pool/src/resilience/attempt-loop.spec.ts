import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { RequestAbortedError } from '../deepseek-pool.errors.js';
import { MODEL, keysOf, loopHarness } from './attempt-loop.fixture.js';
import { AttemptLoop } from './attempt-loop.js';

describe('AttemptLoop.run', () => {
  let harness: ReturnType<typeof loopHarness>;
  beforeEach(() => {
    harness = loopHarness({ keys: keysOf(2) });
  });
  afterEach(() => harness.close());

  it('answers with the first attempt that succeeds', async () => {
    // Arrange
    const loop = new AttemptLoop(harness.deps);

    // Act
    const result = await loop.run(MODEL, {}, false, (slot) => Promise.resolve(`answer of ${slot.id}`));

    // Assert
    expect(result.data).toMatch(/^answer of k[01]$/);
    expect(result.meta.attempts).toBe(1);
  });

  it('rejects, never throws, when the call cannot start (a caller that aborted before the pick)', async () => {
    // Arrange
    const loop = new AttemptLoop(harness.deps);
    const controller = new AbortController();
    controller.abort();
    let attempts = 0;
    let running: Promise<unknown> | undefined;

    // Act
    const start = () =>
      (running = loop.run(MODEL, { signal: controller.signal }, false, () => Promise.resolve(String(++attempts))));

    // Assert
    expect(start).not.toThrow();
    await expect(running).rejects.toBeInstanceOf(RequestAbortedError);
    expect(attempts).toBe(0);
  });
});
