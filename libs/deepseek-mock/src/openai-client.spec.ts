import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI, { APIConnectionError, APIError } from 'openai';
import { DeepSeekMock } from './mock-server.js';
import { USER_MESSAGE, must, until } from './spec-support.js';
import type { MockScenario } from './types.js';

/** The real `openai` npm client against the mock, as an application would use it against DeepSeek. */
const scenario: MockScenario = {
  accounts: { 'acct-a': { maxConcurrency: 1 }, 'acct-empty': { balance: 0 } },
  keys: [
    { key: 'sk-mock-healthy-0001', name: 'healthy' },
    { key: 'sk-mock-hang-0001', name: 'hang', account: 'acct-a', hang: true },
    { key: 'sk-mock-busy-0001', name: 'busy', account: 'acct-a' },
    { key: 'sk-mock-empty-0001', name: 'empty', account: 'acct-empty' },
    { key: 'sk-mock-limited-0001', name: 'limited', rateLimit: { requests: 0, windowMs: 1000 }, retryAfterSeconds: 2 },
    { key: 'sk-mock-down-0001', name: 'down', status: 503 },
    { key: 'sk-mock-broken-0001', name: 'broken', status: 500 },
    { key: 'sk-mock-trickle-0001', name: 'trickle', keepAlive: { intervalMs: 10, afterMs: 50, then: 'answer' } },
    { key: 'sk-mock-blank-0001', name: 'blank', blankBody: true },
    { key: 'sk-mock-cut-0001', name: 'cut', cutAfterChunks: 1 },
    { key: 'sk-mock-errevt-0001', name: 'error-event', errorEventAfterChunks: 1 },
    { key: 'sk-mock-reset-0001', name: 'reset', reset: true },
  ],
};

let mock: DeepSeekMock;

beforeEach(async () => {
  mock = new DeepSeekMock(scenario);
  await mock.start();
});

afterEach(async () => {
  await mock.close();
});

const openai = (apiKey: string) => new OpenAI({ apiKey, baseURL: mock.url, maxRetries: 0 });
const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: USER_MESSAGE }];
const create = (key: string, extra: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming> = {}) =>
  openai(key).chat.completions.create({ model: 'deepseek-chat', messages, ...extra });
const stream = (key: string, model = 'deepseek-chat') =>
  openai(key).chat.completions.create({ model, messages, stream: true, stream_options: { include_usage: true } });

async function apiError(promise: Promise<unknown>): Promise<APIError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(APIError);
  return err as APIError;
}

describe('the openai client against the mock', () => {
  it('gets a chat completion, the models and the balance', async () => {
    const completion = await create('sk-mock-healthy-0001');
    expect(completion.choices[0].message.content).toBe(`Mock answer from healthy to: ${USER_MESSAGE.slice(0, 40)}`);
    expect(completion.usage?.prompt_tokens).toBe(Math.ceil(USER_MESSAGE.length / 4));
    const models = await openai('sk-mock-healthy-0001').models.list();
    expect(models.data.map((m) => m.id)).toContain('deepseek-v4-flash');
    const balance = await openai('sk-mock-healthy-0001').get('/user/balance');
    expect(balance).toMatchObject({
      is_available: true,
      balance_infos: [{ currency: 'USD', total_balance: '1000.00' }],
    });
  });

  it('reads reasoning_content beside content', async () => {
    const completion = await create('sk-mock-healthy-0001', { model: 'deepseek-reasoner' });
    const message = completion.choices[0].message as OpenAI.ChatCompletionMessage & { reasoning_content?: string };
    expect(message.reasoning_content).toContain('Mock reasoning');
  });

  it.each([
    ['sk-unknown-key-9999', 401, 'authentication_error', 'Authentication Fails, Your api key: ****9999 is invalid'],
    ['sk-mock-empty-0001', 402, 'unknown_error', 'Insufficient Balance'],
    ['sk-mock-limited-0001', 429, 'rate_limit_error', 'Rate Limit Reached'],
    ['sk-mock-broken-0001', 500, 'api_error', 'Server Error'],
    ['sk-mock-down-0001', 503, 'api_error', 'Server Overloaded'],
  ])("sees %s fail with %i and DeepSeek's error body", async (key, status, type, message) => {
    const err = await apiError(create(key));
    expect(err.status).toBe(status);
    expect(err.error).toEqual({ message, type, param: null, code: 'invalid_request_error' });
    expect(err.headers?.get('retry-after')).toBe(key === 'sk-mock-limited-0001' ? '2' : null);
  });

  it('sees 400 Model Not Exist and 422 for json_schema', async () => {
    expect((await apiError(create('sk-mock-healthy-0001', { model: 'deepseek-r9' }))).status).toBe(400);
    const schema = { type: 'json_schema', json_schema: { name: 'x', schema: {} } } as const;
    expect((await apiError(create('sk-mock-healthy-0001', { response_format: schema }))).status).toBe(422);
  });

  it('sees the account concurrency 429 with the real numbers', async () => {
    const abort = new AbortController();
    const hung = openai('sk-mock-hang-0001')
      .chat.completions.create({ model: 'deepseek-chat', messages }, { signal: abort.signal })
      .catch((e: unknown) => e);
    await until(() => mock.stats().accounts['acct-a'].inFlight === 1);
    const err = await apiError(create('sk-mock-busy-0001'));
    expect(err.status).toBe(429);
    expect(err.message).toContain('Your current concurrency is 2, which exceeds your concurrency limit of 1');
    abort.abort();
    await hung;
  });

  it('parses a JSON answer preceded by keep-alive blank lines', async () => {
    const completion = await create('sk-mock-trickle-0001');
    expect(completion.choices[0].message.content).toContain('Mock answer from trickle');
  });

  it('fails with a SyntaxError on a 200 of blank lines only', async () => {
    // SyntaxError from Node's own realm (not Jest's), hence the check by name.
    await expect(create('sk-mock-blank-0001')).rejects.toMatchObject({ name: 'SyntaxError' });
  });

  it('streams: ignores ": keep-alive", reads reasoning deltas, gets usage on the final chunk, stops at [DONE]', async () => {
    mock.setKey('healthy', { keepAlive: { intervalMs: 10, afterMs: 30, then: 'answer' } });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of await stream('sk-mock-healthy-0001', 'deepseek-reasoner')) chunks.push(chunk);
    const deltas = chunks.map((c) => c.choices[0]?.delta as { content?: string | null; reasoning_content?: string });
    expect(deltas.map((d) => d.reasoning_content ?? '').join('')).toContain('Mock reasoning by healthy');
    expect(deltas.map((d) => d.content ?? '').join('')).toBe(
      `Mock answer from healthy to: ${USER_MESSAGE.slice(0, 40)}`,
    );
    const final = must(chunks.at(-1), 'the final chunk');
    expect(final.choices[0].finish_reason).toBe('stop');
    expect(final.usage?.completion_tokens).toBeGreaterThan(0);
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
  });

  it('throws on a mid-stream error event', async () => {
    const iterate = async () => {
      for await (const _ of await stream('sk-mock-errevt-0001'));
    };
    const err = await apiError(iterate());
    expect(err.message).toContain('Server Error');
  });

  it('throws when the stream is cut', async () => {
    const iterate = async () => {
      for await (const _ of await stream('sk-mock-cut-0001'));
    };
    await expect(iterate()).rejects.toThrow();
    expect(mock.stats().keys['cut'].streams.cut).toBe(1);
  });

  it('times out on a hung request, which the mock counts as a client abort', async () => {
    const hung = openai('sk-mock-hang-0001').chat.completions.create(
      { model: 'deepseek-chat', messages },
      { timeout: 100 },
    );
    // APIConnectionTimeoutError outside Jest; under Jest's VM realm the SDK may not recognise the AbortError
    // and report its parent class.
    await expect(hung).rejects.toBeInstanceOf(APIConnectionError);
    await until(() => mock.stats().keys['hang'].clientAborts === 1);
  });

  it('sees a connection error on reset', async () => {
    await expect(create('sk-mock-reset-0001')).rejects.toBeInstanceOf(APIConnectionError);
  });
});
