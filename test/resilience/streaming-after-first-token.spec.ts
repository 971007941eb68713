import { describe, expect, it } from '@jest/globals';
import { type ChatCompletionChunk, RequestAbortedError, StreamInterruptedError } from 'nestjs-deepseek-pool';
import type { KeyBehaviour, MockScenario } from 'nestjs-deepseek-pool-mock';
import { type Scenario, scenarios } from './support/harness.js';
import { chatRequest, waitFor } from './support/traffic.js';

// Streaming once content has reached the caller: no failover any more, so a broken upstream must end the stream
// with an explicit error (and count against its key), and a caller who leaves must free the upstream at once.
function castWith(first: KeyBehaviour): MockScenario {
  return {
    defaults: { latencyMs: 2, streamChunks: 4 },
    keys: [
      { key: 'sk-first-000000000001', name: 'first', ...first },
      { key: 'sk-healthy-0000000001', name: 'healthy' },
    ],
  };
}

describe('streams after the first token', () => {
  const start = scenarios();

  function firstKeyFirst(first: KeyBehaviour): Promise<Scenario> {
    return start({ mock: castWith(first), keys: { first: { priority: 0 }, healthy: { priority: 1 } } });
  }

  /** Reads a stream until it ends or throws; returns the chunks read and what it threw. */
  async function consume(s: Scenario): Promise<{ chunks: ChatCompletionChunk[]; error: unknown }> {
    const chunks: ChatCompletionChunk[] = [];
    try {
      for await (const chunk of s.pool.stream(chatRequest())) chunks.push(chunk);
      return { chunks, error: undefined };
    } catch (error) {
      return { chunks, error };
    }
  }

  it("ends a stream cut mid-way with a StreamInterruptedError, never silently, and counts it on the key's breaker", async () => {
    const s = await firstKeyFirst({ cutAfterChunks: 2 });

    const { chunks, error } = await consume(s);

    expect(error).toBeInstanceOf(StreamInterruptedError);
    // The mock destroys the socket: a network failure, or a body that ends without [DONE] (protocol).
    expect(error).toMatchObject({ keyId: 'first', outcome: { kind: expect.stringMatching(/^(network|protocol)$/) } });
    expect(chunks.filter((c) => c.choices[0]?.delta?.content).length).toBe(2);
    expect(s.keyStats('healthy').requests.chat).toBe(0);
    await waitFor(() => s.keySnapshot('first').windowCalls === 1, 'the cut attempt to settle');
    expect(s.keySnapshot('first')).toMatchObject({ windowCalls: 1, errorRate: 1, inFlight: 0 });
  });

  it('ends a stream with a StreamInterruptedError when the upstream sends an error event after content', async () => {
    const s = await firstKeyFirst({ errorEventAfterChunks: 2 });

    const { error } = await consume(s);

    expect(error).toBeInstanceOf(StreamInterruptedError);
    expect(error).toMatchObject({ keyId: 'first', outcome: { kind: 'protocol', detail: 'error event' } });
    await waitFor(() => s.keySnapshot('first').windowCalls === 1, 'the broken attempt to settle');
    expect(s.keySnapshot('first').errorRate).toBe(1);
  });

  it('closes the upstream connection when the caller stops reading, frees the key, and does not blame it', async () => {
    const s = await firstKeyFirst({ streamChunks: 20, chunkDelayMs: 50 });

    for await (const chunk of s.pool.stream(chatRequest())) {
      if (chunk.choices[0]?.delta?.content) break;
    }

    await waitFor(() => s.keyStats('first').clientAborts === 1, 'the mock to see the client abort');
    await waitFor(
      () => s.keyStats('first').inFlight === 0 && s.keySnapshot('first').inFlight === 0,
      'the key to be free again',
    );
    expect(s.keyStats('first').streams.completed).toBe(0);
    expect(s.keySnapshot('first')).toMatchObject({ errorRate: 0, state: 'ready' });
  });

  it('closes the upstream connection when an Observable subscriber unsubscribes', async () => {
    const s = await firstKeyFirst({ streamChunks: 20, chunkDelayMs: 50 });
    const stream = s.pool.stream(chatRequest());

    await new Promise<void>((resolve) => {
      const subscription = stream.toObservable().subscribe((chunk) => {
        if (!chunk.choices[0]?.delta?.content) return;
        subscription.unsubscribe();
        resolve();
      });
    });

    await waitFor(() => s.keyStats('first').clientAborts === 1, 'the mock to see the client abort');
    await waitFor(
      () => s.keyStats('first').inFlight === 0 && s.keySnapshot('first').inFlight === 0,
      'the key to be free again',
    );
  });

  it('closes the upstream connection of a non-streaming call when the caller aborts, and does not blame the key', async () => {
    const s = await firstKeyFirst({ latencyMs: 10_000 });
    const controller = new AbortController();
    const call = s.pool.chat(chatRequest(), { signal: controller.signal }).catch((error: unknown) => error);
    await waitFor(() => s.keyStats('first').inFlight === 1, 'the request to reach the mock');

    controller.abort();

    expect(await call).toBeInstanceOf(RequestAbortedError);
    await waitFor(() => s.keyStats('first').clientAborts === 1, 'the mock to see the client abort');
    await waitFor(
      () => s.keyStats('first').inFlight === 0 && s.keySnapshot('first').inFlight === 0,
      'the key to be free again',
    );
    expect(s.keyStats('healthy').requests.chat).toBe(0);
    expect(s.keySnapshot('first')).toMatchObject({ errorRate: 0, state: 'ready' });
  });
});
