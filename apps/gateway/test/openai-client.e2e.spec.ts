import { afterEach, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { type Gateway, countingFetch, startGateway } from './support/gateway-harness.js';

const TOKEN = 'gw-client-token-1';
const HEALTHY = 'sk-mock-healthy-00000001';
const cast = { keys: [{ key: HEALTHY, name: 'healthy' }] };

describe('the gateway with the real openai client (only baseURL and apiKey change)', () => {
  let gateway: Gateway;
  afterEach(() => gateway.close());

  function client(apiKey = TOKEN, maxRetries = 0) {
    const counted = countingFetch();
    return { counted, openai: new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey, maxRetries, fetch: counted.fetch }) };
  }

  it('answers a chat completion with the upstream body unchanged and trace headers', async () => {
    gateway = await startGateway(cast, { tokens: [TOKEN] });
    const { openai } = client();
    const { data, response } = await openai.chat.completions
      .create({ model: 'deepseek-reasoner', messages: [{ role: 'user', content: 'Hello there' }] })
      .withResponse();
    expect(data.choices[0].message.content).toContain('Hello there');
    expect((data.choices[0].message as unknown as { reasoning_content: string }).reasoning_content).toEqual(
      expect.any(String),
    );
    expect(data.usage).toMatchObject({
      prompt_cache_hit_tokens: expect.any(Number),
      prompt_cache_miss_tokens: expect.any(Number),
    });
    expect(response.headers.get('x-deepseek-pool-key')).toBe('healthy');
    expect(response.headers.get('x-deepseek-pool-attempts')).toBe('1');
  });

  it('streams through the gateway unchanged, usage on the final chunk', async () => {
    gateway = await startGateway(cast, { tokens: [TOKEN] });
    const { openai } = client();
    const stream = await openai.chat.completions.create({
      model: 'deepseek-v4-flash',
      messages: [{ role: 'user', content: 'Stream me' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toContain('Stream me');
    expect(usage).toMatchObject({ total_tokens: expect.any(Number) });
  });

  it('lists the upstream models', async () => {
    gateway = await startGateway(cast, { tokens: [TOKEN] });
    const models = await client().openai.models.list();
    expect(models.data.map((m) => m.id)).toContain('deepseek-v4-flash');
  });

  it('rejects a wrong gateway token with 401 in the OpenAI envelope, and the client does not retry it', async () => {
    gateway = await startGateway(cast, { tokens: [TOKEN] });
    const { openai, counted } = client('not-the-token', 2);
    const error = await openai.chat.completions
      .create({ model: 'deepseek-v4-flash', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as InstanceType<typeof OpenAI.AuthenticationError>).error).toMatchObject({
      message: expect.stringContaining('gateway token'),
    });
    expect(counted.calls).toHaveLength(1);
    expect(gateway.mock.stats().totalRequests.chat).toBe(0);
  });

  it('rejects an invalid body with 400 before any upstream call, naming the field, without client retries', async () => {
    gateway = await startGateway(cast, { tokens: [TOKEN] });
    const { openai, counted } = client(TOKEN, 2);
    const error = await openai.chat.completions
      .create({ model: 'deepseek-v4-flash', messages: [] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).error).toMatchObject({ param: 'messages' });
    expect(counted.calls).toHaveLength(1);
    expect(gateway.mock.stats().totalRequests.chat).toBe(0);
  });

  it('passes an upstream 400 (retired model) through with its message and no retries', async () => {
    gateway = await startGateway(cast, { tokens: [TOKEN] });
    const { openai, counted } = client(TOKEN, 2);
    const error = await openai.chat.completions
      .create({ model: 'deepseek-chat-retired', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(counted.calls).toHaveLength(1);
    expect(gateway.mock.stats().keys.healthy.requests.chat).toBe(1);
  });

  it('answers 429 with Retry-After when every key is cooling, and the client waits that long and then succeeds', async () => {
    gateway = await startGateway(
      { keys: [{ key: HEALTHY, name: 'healthy', status: 429, retryAfterSeconds: 1 }] },
      { tokens: [TOKEN] },
    );
    const { openai, counted } = client(TOKEN, 2);
    const pending = openai.chat.completions.create({
      model: 'deepseek-v4-flash',
      messages: [{ role: 'user', content: 'x' }],
    });
    await waitFor(() => counted.calls.length === 1);
    gateway.mock.setKey(HEALTHY, { status: null });
    const answer = await pending;
    expect(answer.choices[0].message.content).toEqual(expect.any(String));
    expect(counted.calls.map((c) => c.status)).toEqual([429, 200]);
    expect(counted.calls[0].headers.get('retry-after')).toBe('1');
    expect(Number(counted.calls[0].headers.get('retry-after-ms'))).toBeGreaterThan(900);
  });

  it('ends a stream cut by the upstream with an error event that the client raises, never a silent end', async () => {
    gateway = await startGateway(
      { keys: [{ key: HEALTHY, name: 'healthy', cutAfterChunks: 2, streamChunks: 6 }] },
      { tokens: [TOKEN] },
    );
    const { openai } = client();
    const stream = await openai.chat.completions.create({
      model: 'deepseek-v4-flash',
      messages: [{ role: 'user', content: 'a long answer please' }],
      stream: true,
    });
    let text = '';
    const error = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    })().catch((e: unknown) => e);
    expect(text.length).toBeGreaterThan(0);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toMatch(/broke after content/);
  });

  it('delivers a stream cut mid-answer whole: continued on another key, one stream for the client', async () => {
    const reply = 'This answer is long enough to be cut in the middle and continued on another key without a seam.';
    const keys = [
      { key: HEALTHY, name: 'cut', reply, cutAfterChunks: 3, streamChunks: 8 },
      { key: 'sk-mock-healthy-00000002', name: 'spare', reply, streamChunks: 8 },
    ];
    gateway = await startGateway({ keys }, { tokens: [TOKEN], keys: { spare: { priority: 1 } } });
    const { openai } = client();
    const { data: stream, response } = await openai.chat.completions
      .create({
        model: 'deepseek-v4-flash',
        messages: [{ role: 'user', content: 'a long answer please' }],
        stream: true,
        stream_options: { include_usage: true },
      })
      .withResponse();
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe(reply);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks.filter((c) => c.choices[0]?.finish_reason)).toHaveLength(1);
    expect(chunks.at(-1)?.usage).toMatchObject({ total_tokens: expect.any(Number) });
    expect(response.headers.get('x-deepseek-pool-key')).toBe('cut');
    expect(gateway.mock.stats().keys.cut.streams.cut).toBe(1);
    expect(gateway.mock.stats().keys.spare.streams.completed).toBe(1);
    await waitFor(() => gateway.logs.lines.some((line) => /continued: cut -> spare at \d+ \(/.test(line)));
  });

  it('closes the upstream request when the client disconnects mid-stream, and frees the key', async () => {
    gateway = await startGateway(
      { keys: [{ key: HEALTHY, name: 'healthy', chunkDelayMs: 200, streamChunks: 50 }] },
      { tokens: [TOKEN] },
    );
    const { openai } = client();
    const controller = new AbortController();
    const stream = await openai.chat.completions.create(
      { model: 'deepseek-v4-flash', messages: [{ role: 'user', content: 'a very long answer' }], stream: true },
      { signal: controller.signal },
    );
    for await (const chunk of stream) {
      if ((chunk.choices[0]?.delta?.content ?? '') !== '') break;
    }
    await waitFor(() => gateway.mock.stats().keys.healthy.clientAborts === 1);
    await waitFor(() => gateway.mock.stats().keys.healthy.inFlight === 0);
    expect(gateway.mock.stats().keys.healthy.streams.completed).toBe(0);
  });
});

async function waitFor(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
