import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { DeepSeekMock, type MockOptions } from './mock-server.js';
import {
  CHAT_BODY,
  type CompletionJson,
  type ErrorJson,
  RawClient,
  USER_MESSAGE,
  manualClock,
  must,
  sseChunks,
  sseData,
  until,
} from './spec-support.js';
import type { MockScenario } from './types.js';

const HEALTHY = 'sk-mock-healthy-abcd';

let mock: DeepSeekMock;
const client = new RawClient(() => mock.url);

async function start(scenario: MockScenario, options: MockOptions = {}): Promise<DeepSeekMock> {
  mock = new DeepSeekMock(scenario, options);
  await mock.start();
  return mock;
}

afterEach(async () => {
  await mock.close();
});

afterAll(() => client.close());

const errorBody = (message: string, type: string) => ({
  error: { message, type, param: null, code: 'invalid_request_error' },
});

describe('DeepSeekMock endpoints', () => {
  it('answers a chat completion like DeepSeek, on /chat/completions and /v1/chat/completions', async () => {
    await start({ keys: [{ key: HEALTHY, name: 'healthy' }] });
    for (const path of ['/chat/completions', '/v1/chat/completions']) {
      const res = await client.send('POST', path, HEALTHY, CHAT_BODY);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/json');
      expect(res.headers['retry-after']).toBeUndefined();
      expect(Object.keys(res.headers).filter((h) => h.startsWith('x-ratelimit'))).toEqual([]);
      const body = JSON.parse(res.text) as CompletionJson;
      expect(body).toMatchObject({
        object: 'chat.completion',
        model: 'deepseek-chat',
        system_fingerprint: expect.any(String),
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: `Mock answer from healthy to: ${USER_MESSAGE.slice(0, 40)}` },
            logprobs: null,
            finish_reason: 'stop',
          },
        ],
      });
      expect(body.choices[0].message.reasoning_content).toBeUndefined();
      const prompt = Math.ceil(USER_MESSAGE.length / 4);
      expect(body.usage).toMatchObject({
        prompt_tokens: prompt,
        prompt_cache_hit_tokens: 0,
        prompt_cache_miss_tokens: prompt,
        prompt_tokens_details: { cached_tokens: 0 },
        total_tokens: prompt + body.usage.completion_tokens,
      });
    }
    expect(mock.stats().keys['healthy']).toMatchObject({ requests: { chat: 2 }, responses: { 200: 2 } });
  });

  it('adds reasoning_content for thinking models and for thinking: enabled', async () => {
    await start({ keys: [{ key: HEALTHY }] });
    for (const body of [
      { ...CHAT_BODY, model: 'deepseek-reasoner' },
      { ...CHAT_BODY, thinking: { type: 'enabled' } },
    ]) {
      const answer = JSON.parse((await client.chat(HEALTHY, body)).text) as CompletionJson;
      const reasoningContent = must(answer.choices[0].message.reasoning_content, 'reasoning_content');
      expect(reasoningContent).toEqual(expect.stringContaining('Mock reasoning'));
      const reasoning = must(answer.usage.completion_tokens_details, 'completion_tokens_details').reasoning_tokens;
      expect(reasoning).toBe(Math.ceil(reasoningContent.length / 4));
      expect(answer.usage.completion_tokens).toBe(reasoning + Math.ceil(answer.choices[0].message.content.length / 4));
    }
  });

  it('uses the per-key reply and JSON content in JSON mode', async () => {
    await start({ keys: [{ key: HEALTHY, reply: 'fixed' }, { key: 'sk-mock-json-0001' }] });
    expect((JSON.parse((await client.chat(HEALTHY)).text) as CompletionJson).choices[0].message.content).toBe('fixed');
    const json = await client.chat('sk-mock-json-0001', { ...CHAT_BODY, response_format: { type: 'json_object' } });
    const content = (JSON.parse(json.text) as CompletionJson).choices[0].message.content;
    expect(JSON.parse(content)).toEqual({ answer: expect.any(String) });
  });

  it('lists the models of the scenario', async () => {
    await start({ keys: [{ key: HEALTHY }] });
    const res = await client.send('GET', '/models', HEALTHY);
    expect(JSON.parse(res.text)).toEqual({
      object: 'list',
      data: ['deepseek-v4-flash', 'deepseek-v4-pro', 'deepseek-chat', 'deepseek-reasoner'].map((id) => ({
        id,
        object: 'model',
        owned_by: 'deepseek',
      })),
    });
    await mock.close();
    await start({ models: ['deepseek-flash'], keys: [{ key: HEALTHY }] });
    expect(JSON.parse((await client.send('GET', '/v1/models', HEALTHY)).text)).toHaveProperty('data', [
      { id: 'deepseek-flash', object: 'model', owned_by: 'deepseek' },
    ]);
    expect((await client.chat(HEALTHY)).status).toBe(400);
  });

  it('rejects unknown and missing keys with 401 and the last 4 characters of the key', async () => {
    await start({ keys: [{ key: HEALTHY }, { key: 'sk-mock-revoked-wxyz', status: 401 }] });
    for (const [key, shown] of [
      ['sk-unknown-1234', '****1234'],
      ['sk-mock-revoked-wxyz', '****wxyz'],
    ] as const) {
      const res = await client.chat(key);
      expect(res.status).toBe(401);
      expect(JSON.parse(res.text)).toEqual(
        errorBody(`Authentication Fails, Your api key: ${shown} is invalid`, 'authentication_error'),
      );
      expect((await client.send('GET', '/models', key)).status).toBe(401);
    }
    expect((await client.chat('')).status).toBe(401);
    expect(mock.stats().unauthenticated).toEqual({ chat: 2, models: 1, balance: 0 });
  });

  it('validates requests like DeepSeek (400, 422)', async () => {
    await start({ keys: [{ key: HEALTHY }] });
    const cases: Array<[unknown, number, string]> = [
      [{ model: 'deepseek-chat' }, 400, 'missing field `messages`'],
      [{ messages: CHAT_BODY.messages }, 400, 'missing field `model`'],
      [{ model: 'deepseek-chat', messages: [] }, 400, 'Empty input messages'],
      [{ model: 'deepseek-chat', messages: [{ role: 'robot', content: 'x' }] }, 400, 'unknown variant `robot`'],
      ['{not json', 400, 'Failed to parse the request body as JSON'],
      [{ ...CHAT_BODY, model: 'gpt-4o' }, 400, 'Model Not Exist'],
      [
        { ...CHAT_BODY, response_format: { type: 'json_schema', json_schema: {} } },
        422,
        '`json_schema` is unavailable now',
      ],
    ];
    for (const [body, status, message] of cases) {
      const res = await client.chat(HEALTHY, body as object);
      expect(res.status).toBe(status);
      const { error } = JSON.parse(res.text) as ErrorJson;
      expect(error).toMatchObject({ type: 'invalid_request_error', param: null, code: 'invalid_request_error' });
      expect(error.message).toContain(message);
    }
  });

  it('answers 404 for unknown paths', async () => {
    await start({ keys: [{ key: HEALTHY }] });
    expect((await client.send('GET', '/chat/completions', HEALTHY)).status).toBe(404);
    expect((await client.send('GET', '/nothing', HEALTHY)).status).toBe(404);
  });
});

describe('accounts', () => {
  it('reports the balance with amounts as strings, drains it with tokens, then answers 402 until topped up', async () => {
    await start({
      accounts: { 'acct-a': { balance: 0.00002, grantedBalance: 0.00001 } },
      keys: [{ key: HEALTHY, name: 'healthy', account: 'acct-a' }],
    });
    expect(JSON.parse((await client.send('GET', '/user/balance', HEALTHY)).text)).toEqual({
      is_available: true,
      balance_infos: [{ currency: 'USD', total_balance: '0.00', granted_balance: '0.00', topped_up_balance: '0.00' }],
    });
    expect((await client.chat(HEALTHY)).status).toBe(200);
    expect(mock.stats().accounts['acct-a'].balance).toBe(0);
    const refused = await client.chat(HEALTHY);
    expect(refused.status).toBe(402);
    expect(JSON.parse(refused.text)).toEqual(errorBody('Insufficient Balance', 'unknown_error'));
    expect(JSON.parse((await client.send('GET', '/user/balance', HEALTHY)).text)).toHaveProperty('is_available', false);
    expect((await client.send('GET', '/models', HEALTHY)).status).toBe(200);
    mock.setBalance('acct-a', 110);
    expect(JSON.parse((await client.send('GET', '/v1/user/balance', HEALTHY)).text)).toMatchObject({
      balance_infos: [{ total_balance: '110.00', topped_up_balance: '110.00' }],
    });
    expect((await client.chat(HEALTHY)).status).toBe(200);
    expect(mock.stats().keys['healthy'].rejections.balance).toBe(1);
  });

  it('shows an unavailable, empty balance for a key forced to 402', async () => {
    await start({ keys: [{ key: HEALTHY, status: 402 }] });
    expect(JSON.parse((await client.send('GET', '/user/balance', HEALTHY)).text)).toMatchObject({
      is_available: false,
      balance_infos: [{ total_balance: '0.00' }],
    });
    expect((await client.chat(HEALTHY)).status).toBe(402);
  });

  it('refuses requests over the account concurrency ceiling with 429 and the real numbers', async () => {
    await start({
      accounts: { 'acct-a': { maxConcurrency: 2 } },
      keys: [
        { key: 'sk-mock-hang-0001', name: 'hang', account: 'acct-a', hang: true },
        { key: HEALTHY, name: 'healthy', account: 'acct-a' },
      ],
    });
    const abort = new AbortController();
    const hung = [1, 2].map(() =>
      client.chat('sk-mock-hang-0001', CHAT_BODY, abort.signal).catch((err: unknown) => err),
    );
    await until(() => mock.stats().accounts['acct-a'].inFlight === 2);
    const res = await client.chat(HEALTHY);
    expect(res.status).toBe(429);
    expect(JSON.parse(res.text)).toEqual(
      errorBody(
        'Your current concurrency is 3, which exceeds your concurrency limit of 2 based on your remaining balance. Please top up your balance to restore your concurrency.',
        'rate_limit_error',
      ),
    );
    expect(mock.stats().keys['healthy']).toMatchObject({ rejections: { concurrency: 1 }, responses: { 429: 1 } });
    abort.abort();
    await Promise.all(hung);
    await until(() => mock.stats().accounts['acct-a'].inFlight === 0);
    expect((await client.chat(HEALTHY)).status).toBe(200);
    expect(mock.stats().accounts['acct-a'].peakInFlight).toBe(2);
    expect(mock.stats().keys['hang']).toMatchObject({ peakInFlight: 2, inFlight: 0, clientAborts: 2 });
  });

  it('counts prompt cache hits per account: the same conversation on another account misses', async () => {
    await start({
      accounts: { 'acct-a': {}, 'acct-b': {} },
      keys: [
        { key: 'sk-mock-a-0001', account: 'acct-a' },
        { key: 'sk-mock-a-0002', account: 'acct-a' },
        { key: 'sk-mock-b-0001', account: 'acct-b' },
      ],
    });
    const system = { role: 'system', content: 'You are a very helpful assistant of the mock.' };
    const turn1 = { model: 'deepseek-chat', messages: [system, { role: 'user', content: 'First question' }] };
    const first = JSON.parse((await client.chat('sk-mock-a-0001', turn1)).text) as CompletionJson;
    expect(first.usage.prompt_cache_hit_tokens).toBe(0);
    const turn2 = {
      model: 'deepseek-chat',
      messages: [...turn1.messages, first.choices[0].message, { role: 'user', content: 'Second question' }],
    };
    const sameAccount = (JSON.parse((await client.chat('sk-mock-a-0002', turn2)).text) as CompletionJson).usage;
    const cachedTokens = Math.ceil(system.content.length / 4) + Math.ceil('First question'.length / 4);
    expect(sameAccount.prompt_cache_hit_tokens).toBe(cachedTokens);
    expect(sameAccount.prompt_tokens_details.cached_tokens).toBe(cachedTokens);
    expect(sameAccount.prompt_cache_hit_tokens + sameAccount.prompt_cache_miss_tokens).toBe(sameAccount.prompt_tokens);
    const otherAccount = (JSON.parse((await client.chat('sk-mock-b-0001', turn2)).text) as CompletionJson).usage;
    expect(otherAccount.prompt_cache_hit_tokens).toBe(0);
  });
});

describe('per-key behaviour', () => {
  it('limits the request rate per key in a sliding window (injected clock), without Retry-After by default', async () => {
    const clock = manualClock();
    await start(
      {
        keys: [
          { key: HEALTHY, name: 'limited', rateLimit: { requests: 2, windowMs: 1000 } },
          { key: 'sk-mock-other-0001', rateLimit: { requests: 2, windowMs: 1000 }, retryAfterSeconds: 3 },
        ],
      },
      { now: clock.now },
    );
    expect((await client.chat(HEALTHY)).status).toBe(200);
    clock.advance(500);
    expect((await client.chat(HEALTHY)).status).toBe(200);
    const limited = await client.chat(HEALTHY);
    expect(limited.status).toBe(429);
    expect(JSON.parse(limited.text)).toEqual(errorBody('Rate Limit Reached', 'rate_limit_error'));
    expect(limited.headers['retry-after']).toBeUndefined();
    clock.advance(500);
    expect((await client.chat(HEALTHY)).status).toBe(200);
    expect(mock.stats().keys['limited'].rejections.rateLimit).toBe(1);
    await client.chat('sk-mock-other-0001');
    await client.chat('sk-mock-other-0001');
    expect((await client.chat('sk-mock-other-0001')).headers['retry-after']).toBe('3');
  });

  it('answers the outage status inside the outage window only', async () => {
    const clock = manualClock();
    await start({ keys: [{ key: HEALTHY, outage: { fromMs: 1000, toMs: 2000 } }] }, { now: clock.now });
    expect((await client.chat(HEALTHY)).status).toBe(200);
    clock.advance(1500);
    const down = await client.chat(HEALTHY);
    expect(down.status).toBe(503);
    expect(JSON.parse(down.text)).toEqual(errorBody('Server Overloaded', 'api_error'));
    expect((await client.send('GET', '/models', HEALTHY)).status).toBe(503);
    clock.advance(1000);
    expect((await client.chat(HEALTHY)).status).toBe(200);
  });

  it('draws error rates from the seeded PRNG: the same seed gives the same statuses', async () => {
    const scenario: MockScenario = { keys: [{ key: HEALTHY, errorRates: { 500: 0.3, 503: 0.3 } }] };
    const run = async () => {
      await start(scenario, { seed: 42 });
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) statuses.push((await client.chat(HEALTHY)).status);
      await mock.close();
      return statuses;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(new Set(first)).toEqual(new Set([200, 500, 503]));
  });

  it('forces a status, and changes behaviour at run time', async () => {
    await start({ keys: [{ key: HEALTHY, name: 'healthy', status: 500 }] });
    const res = await client.chat(HEALTHY);
    expect(res.status).toBe(500);
    expect(JSON.parse(res.text)).toEqual(errorBody('Server Error', 'api_error'));
    mock.setKey('healthy', { status: 429 });
    expect((await client.chat(HEALTHY)).status).toBe(429);
    expect((await client.send('GET', '/models', HEALTHY)).status).toBe(200);
    mock.setKey(HEALTHY, { status: null });
    expect((await client.chat(HEALTHY)).status).toBe(200);
  });

  it('delays answers by the key latency (lower bound only)', async () => {
    await start({ keys: [{ key: HEALTHY, latencyMs: 200 }] });
    const started = performance.now();
    expect((await client.chat(HEALTHY)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
  });

  it('adds and removes keys at run time', async () => {
    await start({ keys: [] });
    expect((await client.chat(HEALTHY)).status).toBe(401);
    mock.addKey({ key: HEALTHY, name: 'added' });
    expect((await client.chat(HEALTHY)).status).toBe(200);
    expect(mock.stats().keys['added'].account).toBe('key:added');
    expect(() => mock.addKey({ key: 'sk-mock-other-0001', name: 'added' })).toThrow(/clashes/);
    mock.removeKey('added');
    expect((await client.chat(HEALTHY)).status).toBe(401);
  });

  it('resets counters but keeps behaviour and balances', async () => {
    await start({ keys: [{ key: HEALTHY, name: 'healthy' }] });
    await client.chat(HEALTHY);
    mock.resetCounters();
    expect(mock.stats().keys['healthy']).toMatchObject({ requests: { chat: 0 }, responses: {}, tokens: { prompt: 0 } });
    expect(mock.stats().totalRequests.chat).toBe(0);
  });
});

describe('streaming', () => {
  it("streams DeepSeek's chunks: role delta first, content chunks, usage on the final chunk, then [DONE]", async () => {
    await start({ keys: [{ key: HEALTHY, name: 'healthy', streamChunks: 3 }] });
    const res = await client.chat(HEALTHY, { ...CHAT_BODY, stream: true, stream_options: { include_usage: true } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(sseData(res.text).at(-1)).toBe('[DONE]');
    const chunks = sseChunks(res.text);
    expect(chunks).toHaveLength(1 + 3 + 1);
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({
        object: 'chat.completion.chunk',
        model: 'deepseek-chat',
        system_fingerprint: expect.any(String),
      });
      expect(chunk.choices[0].logprobs).toBeNull();
    }
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    const content = chunks
      .slice(1, -1)
      .map((c) => c.choices[0].delta.content)
      .join('');
    expect(content).toBe(`Mock answer from healthy to: ${USER_MESSAGE.slice(0, 40)}`);
    const final = must(chunks.at(-1), 'the final chunk');
    expect(final.choices).toEqual([{ index: 0, delta: { content: '' }, logprobs: null, finish_reason: 'stop' }]);
    expect(final.usage).toMatchObject({
      prompt_tokens: expect.any(Number),
      completion_tokens: Math.ceil(content.length / 4),
    });
    expect(mock.stats().keys['healthy'].streams).toEqual({ started: 1, completed: 1, cut: 0, errorEvents: 0 });
  });

  it('streams reasoning_content before content for thinking models, and omits usage: null without include_usage', async () => {
    await start({ keys: [{ key: HEALTHY, streamChunks: 2 }] });
    const res = await client.chat(HEALTHY, { ...CHAT_BODY, model: 'deepseek-reasoner', stream: true });
    const chunks = sseChunks(res.text);
    const deltas = chunks.map((c) => c.choices[0].delta);
    expect(deltas.slice(1, 3).every((d) => typeof d.reasoning_content === 'string' && d.content === null)).toBe(true);
    expect(deltas.slice(3, 5).every((d) => typeof d.content === 'string' && d.reasoning_content === undefined)).toBe(
      true,
    );
    expect(chunks.slice(0, -1).every((c) => !('usage' in c))).toBe(true);
    const usage = must(must(chunks.at(-1), 'the final chunk').usage, 'the usage of the final chunk');
    expect(must(usage.completion_tokens_details, 'completion_tokens_details').reasoning_tokens).toBeGreaterThan(0);
  });

  it('waits the inter-chunk delay between chunks (lower bound only)', async () => {
    await start({ keys: [{ key: HEALTHY, streamChunks: 4, chunkDelayMs: 50 }] });
    const started = performance.now();
    await client.chat(HEALTHY, { ...CHAT_BODY, stream: true });
    expect(performance.now() - started).toBeGreaterThanOrEqual(5 * 50 - 5);
  });
});
