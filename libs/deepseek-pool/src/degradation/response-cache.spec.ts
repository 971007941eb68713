import { jest } from '@jest/globals';
import { type Cache, createCache } from 'cache-manager';
import type { ChatCompletion, ChatCompletionRequest } from '../chat.types.js';
import { completion } from '../testing/scripted-transport.js';
import { ResponseCache, isCompleteAnswer, mayCache } from './response-cache.js';

const request: ChatCompletionRequest = {
  model: 'deepseek-v4-flash',
  messages: [{ role: 'user', content: 'hi' }],
  temperature: 0,
};
const answer = completion('cached answer') as ChatCompletion;
const choice = (message: Record<string, unknown>, finishReason: string | null) => ({
  ...answer,
  choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finishReason }],
});

describe('mayCache', () => {
  it.each<[string, boolean, Partial<ChatCompletionRequest>, string | undefined, boolean]>([
    ['temperature 0 in a scope', true, { temperature: 0 }, 't', false],
    ['no scope (unknown user)', false, { temperature: 0 }, undefined, false],
    ['temperature > 0', false, { temperature: 0.7 }, 't', false],
    ['no temperature (DeepSeek default 1)', false, { temperature: undefined }, 't', false],
    ['temperature > 0, opted in', true, { temperature: 0.7 }, 't', true],
    ['no temperature, opted in', true, { temperature: undefined }, 't', true],
    ['opted in but no scope', false, { temperature: 0.7 }, undefined, true],
  ])('%s -> %s', (_why, expected, fields, tenant, optIn) => {
    expect(mayCache({ ...request, ...fields }, tenant, optIn)).toBe(expected);
  });
});

describe('isCompleteAnswer', () => {
  it.each<[string, boolean, unknown]>([
    ['a finished answer', true, answer],
    ['cut by max_tokens (complete for its request)', true, choice({ content: 'partial' }, 'length')],
    [
      'tool calls without content',
      true,
      choice(
        { content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        'tool_calls',
      ),
    ],
    ['no finish reason', false, choice({ content: 'x' }, null)],
    ['insufficient_system_resource', false, choice({ content: 'x' }, 'insufficient_system_resource')],
    ['content_filter', false, choice({ content: 'x' }, 'content_filter')],
    ['empty content (DeepSeek JSON mode glitch)', false, choice({ content: '  ' }, 'stop')],
    ['no choices', false, { ...answer, choices: [] }],
    ['an error envelope', false, { error: { message: 'Server error' } }],
    ['not an object', false, 'text'],
    ['null', false, null],
  ])('%s -> %s', (_why, expected, body) => {
    expect(isCompleteAnswer(body)).toBe(expected);
  });
});

describe('ResponseCache', () => {
  let nowMs: number;
  let store: Cache;
  let cache: ResponseCache;
  const warn = jest.fn();

  beforeEach(() => {
    nowMs = 1_000_000;
    store = createCache();
    warn.mockReset();
    cache = new ResponseCache(
      store,
      { ttlMs: 60_000, keyPrefix: 'test:', cacheNonDeterministic: false },
      { now: () => nowMs },
      { warn, log: jest.fn(), error: jest.fn() },
    );
  });

  it('serves a stored answer to the same request in the same scope, unchanged', async () => {
    await cache.store(request, 'alice', answer);
    await expect(cache.lookup({ ...request, stream: true }, 'alice')).resolves.toEqual(answer);
  });

  it('never serves one tenant the answer of another', async () => {
    await cache.store(request, 'alice', answer);
    await expect(cache.lookup(request, 'bob')).resolves.toBeUndefined();
    await expect(cache.lookup(request, undefined)).resolves.toBeUndefined();
  });

  it('expires entries after the TTL by the injected clock', async () => {
    await cache.store(request, 'alice', answer);
    nowMs += 60_000;
    await expect(cache.lookup(request, 'alice')).resolves.toEqual(answer);
    nowMs += 1;
    await expect(cache.lookup(request, 'alice')).resolves.toBeUndefined();
  });

  it('stores nothing for an incomplete answer, an error body, a non-deterministic request or an unknown user', async () => {
    await cache.store(request, 'alice', choice({ content: 'half' }, null));
    await cache.store(request, 'alice', { error: { message: 'Server error' } });
    await cache.store({ ...request, temperature: 1 }, 'alice', answer);
    await cache.store(request, undefined, answer);
    await expect(keysOf(store)).resolves.toEqual([]);
    await expect(cache.lookup(request, 'alice')).resolves.toBeUndefined();
    await expect(cache.lookup({ ...request, temperature: 1 }, 'alice')).resolves.toBeUndefined();
  });

  it('treats a failing store as a miss and logs it, never failing the request', async () => {
    const broken = {
      get: () => Promise.reject(new Error('redis down')),
      set: () => Promise.reject(new Error('redis down')),
    } as unknown as Cache;
    const failing = new ResponseCache(
      broken,
      { ttlMs: 1_000, keyPrefix: '', cacheNonDeterministic: false },
      { now: () => nowMs },
      { warn, log: jest.fn(), error: jest.fn() },
    );
    await expect(failing.store(request, 'alice', answer)).resolves.toBeUndefined();
    await expect(failing.lookup(request, 'alice')).resolves.toBeUndefined();
    expect(warn.mock.calls.map(([message]) => message)).toEqual([
      'Degradation cache write failed: redis down',
      'Degradation cache read failed: redis down',
    ]);
  });

  it('ignores a malformed entry', async () => {
    await cache.store(request, 'alice', answer);
    const [key] = await keysOf(store);
    await store.set(key, { completion: { nope: true }, storedAtMs: nowMs });
    await expect(cache.lookup(request, 'alice')).resolves.toBeUndefined();
  });
});

async function keysOf(cache: Cache): Promise<string[]> {
  const keys: string[] = [];
  const [store] = cache.stores;
  if (store.iterator === undefined) throw new Error('the cache store cannot list its keys');
  for await (const [key] of store.iterator(undefined)) keys.push(String(key));
  return keys;
}
