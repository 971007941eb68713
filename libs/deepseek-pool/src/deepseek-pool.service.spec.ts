import { expect, jest } from '@jest/globals';
import { mulberry32 } from 'nestjs-deepseek-pool-mock';
import {
  AttemptsExhaustedError,
  InvalidRequestError,
  NoAvailableKeyError,
  UpstreamError,
} from './deepseek-pool.errors.js';
import type { DeepSeekPoolOptions } from './deepseek-pool.options.js';
import type { DeepSeekPoolService } from './deepseek-pool.service.js';
import { type DeepSeekPool, createDeepSeekPool } from './create-deepseek-pool.js';
import type { DeepSeekPoolAdmin } from './deepseek-pool.admin.js';
import { ScriptedTransport, completion, deepseekError } from './testing/scripted-transport.js';
import { defined } from './defined.fixture.js';

const HEALTHY = 'sk-healthy000000000001';
const REVOKED = 'sk-revoked000000000002';
const LIMITED = 'sk-limited000000000003';
const BROKEN = 'sk-broken0000000000004';
const request = { model: 'deepseek-v4-flash', messages: [{ role: 'user', content: 'hi' }] };

describe('DeepSeekPoolService (scripted upstream, fake timers)', () => {
  let transport: ScriptedTransport;
  let pools: DeepSeekPool[];

  beforeEach(() => {
    jest.useFakeTimers();
    transport = new ScriptedTransport();
    pools = [];
  });

  afterEach(async () => {
    await Promise.all(pools.map((pool) => pool.close()));
    jest.useRealTimers();
  });

  function pool(options: Partial<DeepSeekPoolOptions> & Pick<DeepSeekPoolOptions, 'keys'>): DeepSeekPoolService {
    const created = createDeepSeekPool({ transport, logger: false, rng: mulberry32(7), ...options });
    pools.push(created);
    return created.pool;
  }

  /** A pool whose round robin tries the key `id` first, then the key `healthy`. */
  function thenHealthy(id: string, apiKey: string, options: Partial<DeepSeekPoolOptions> = {}): DeepSeekPoolService {
    return pool({
      keys: [
        { id, apiKey },
        { id: 'healthy', apiKey: HEALTHY },
      ],
      strategy: 'round-robin',
      ...options,
    });
  }

  /** The key administration of the last pool built. */
  function lastAdmin(): DeepSeekPoolAdmin {
    return pools[pools.length - 1].admin;
  }

  it('returns the upstream body unchanged with the serving key id and attempt count', async () => {
    const body = completion('answer', {
      choices: [
        { index: 0, message: { role: 'assistant', content: 'a', reasoning_content: 'think' }, finish_reason: 'stop' },
      ],
    });
    transport.script(HEALTHY, { status: 200, body });
    const result = await pool({ keys: [{ id: 'main', apiKey: HEALTHY }] }).chat(request);
    expect(result.data).toEqual(body);
    expect(result.meta).toMatchObject({ keyId: 'main', attempts: 1 });
  });

  it('hands back the body text the answer was parsed from, as sent (keep-alive blank lines before it dropped)', async () => {
    const text = `{ "id": "c1",\n  "object": "chat.completion", "choices": [], "model" : "deepseek-v4-flash" }`;
    transport.script(HEALTHY, () =>
      Promise.resolve({ status: 200, headers: {}, body: new Blob([`\n\n${text}`]).stream() }),
    );
    const result = await pool({ keys: [{ id: 'main', apiKey: HEALTHY }] }).chat(request);
    expect(result.bodyText).toBe(text);
    expect(result.data).toEqual(JSON.parse(text));
  });

  it('rejects an invalid request before any upstream call', async () => {
    transport.script(HEALTHY, { status: 200, body: completion() });
    const service = pool({ keys: [HEALTHY] });
    await expect(service.chat({ model: 'deepseek-v4-flash', messages: [] })).rejects.toThrow(InvalidRequestError);
    await expect(service.chat({ model: 'x', messages: [{ role: 'robot', content: 'hi' }] })).rejects.toThrow(
      /messages\[0\]\.role/,
    );
    expect(transport.calls).toHaveLength(0);
  });

  it('hands a failure of this process back as thrown, with no retry and no key blamed', async () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'choices')");
    const throwBug = (): Promise<never> => Promise.reject(bug);
    transport.script(BROKEN, throwBug).script(HEALTHY, throwBug);
    const service = pool({
      keys: [
        { id: 'a', apiKey: BROKEN },
        { id: 'b', apiKey: HEALTHY },
      ],
      breaker: { volumeThreshold: 1 },
    });
    for (let i = 0; i < 4; i++) await expect(service.chat(request)).rejects.toBe(bug);
    expect(transport.calls).toHaveLength(4);
    for (const key of service.snapshot().keys)
      expect(key).toMatchObject({ state: 'ready', breaker: 'closed', errorRate: 0 });
  });

  it('enableKey puts a cooling key back at once', async () => {
    transport.script(LIMITED, {
      status: 429,
      body: deepseekError('Rate Limit Reached'),
      headers: { 'retry-after': '999999' },
    });
    const service = pool({ keys: [{ id: 'limited', apiKey: LIMITED }], retry: { maxWaitForKeyMs: 0 } });
    await expect(service.chat(request)).rejects.toThrow();
    const cooled = defined(service.keySnapshot('limited'));
    lastAdmin().enableKey('limited');
    expect(cooled.state).toBe('cooling');
    expect(defined(cooled.cooldownUntilMs) - Date.now()).toBe(300_000);
    expect(service.keySnapshot('limited')).toMatchObject({ state: 'ready' });
  });

  it('disables a 401 key after one call and serves from another key at once', async () => {
    transport.script(REVOKED, {
      status: 401,
      body: deepseekError('Authentication Fails, Your api key: ****0002 is invalid', 'authentication_error'),
    });
    transport.script(HEALTHY, { status: 200, body: completion() });
    const service = thenHealthy('revoked', REVOKED);
    for (let i = 0; i < 10; i++)
      await expect(service.chat(request)).resolves.toMatchObject({ meta: { keyId: 'healthy' } });
    expect(transport.callsTo(REVOKED)).toBe(1);
    expect(service.snapshot().keys[0]).toMatchObject({ id: 'revoked', state: 'disabled', disabledReason: 'revoked' });
  });

  it('disables every key of an account on 402, since DeepSeek balance is per account', async () => {
    transport.script(LIMITED, { status: 402, body: deepseekError('Insufficient Balance', 'unknown_error') });
    transport.script(BROKEN, { status: 402, body: deepseekError('Insufficient Balance', 'unknown_error') });
    transport.script(HEALTHY, { status: 200, body: completion() });
    const service = pool({
      keys: [
        { id: 'a1', apiKey: LIMITED, account: 'a' },
        { id: 'a2', apiKey: BROKEN, account: 'a' },
        { id: 'b', apiKey: HEALTHY, priority: 1 },
      ],
    });
    await service.chat(request);
    await service.chat(request);
    expect(transport.callsTo(LIMITED) + transport.callsTo(BROKEN)).toBe(1);
    expect(service.snapshot().keys.map((k) => k.disabledReason)).toEqual([
      'insufficient-balance',
      'insufficient-balance',
      undefined,
    ]);
  });

  it('returns a 400 to the caller at once: no retry, key untouched', async () => {
    transport.script(HEALTHY, {
      status: 400,
      body: deepseekError('The supported API model names are deepseek-flash but you passed deepseek-chat.'),
    });
    transport.script(LIMITED, { status: 200, body: completion() });
    const service = pool({ keys: [HEALTHY, LIMITED], strategy: 'round-robin' });
    const error = await service.chat(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({
      status: 400,
      body: { error: { message: expect.stringContaining('deepseek-chat') } },
    });
    expect(transport.calls).toHaveLength(1);
    expect(service.snapshot().keys[0]).toMatchObject({ state: 'ready', errorRate: 0 });
  });

  it('cools a 429 key down and fails over to another key in the same call', async () => {
    transport.script(LIMITED, { status: 429, body: deepseekError('Rate Limit Reached') });
    transport.script(HEALTHY, { status: 200, body: completion() });
    const service = thenHealthy('limited', LIMITED);
    const result = await service.chat(request);
    expect(result.meta).toMatchObject({ keyId: 'healthy', attempts: 2 });
    expect(result.meta.trace.map((t) => [t.keyId, t.status])).toEqual([
      ['limited', 429],
      ['healthy', undefined],
    ]);
    expect(service.snapshot().keys[0].state).toBe('cooling');
  });

  it('uses Retry-After as a floor on the cooldown', async () => {
    transport.script(LIMITED, {
      status: 429,
      body: deepseekError('Rate Limit Reached'),
      headers: { 'retry-after': '120' },
    });
    transport.script(HEALTHY, { status: 200, body: completion() });
    const service = thenHealthy('limited', LIMITED);
    const before = Date.now();
    await service.chat(request);
    expect(service.snapshot().keys[0].cooldownUntilMs).toBeGreaterThanOrEqual(before + 120_000);
  });

  it('pauses the whole account briefly on a concurrency 429, never with a growing cooldown', async () => {
    const full = {
      status: 429,
      body: deepseekError(
        'Your current concurrency is 40, which exceeds your concurrency limit of 39 based on your remaining balance. Please top up...',
      ),
    };
    transport.script(LIMITED, full);
    transport.script(BROKEN, full);
    transport.script(HEALTHY, { status: 200, body: completion() });
    const service = pool({
      keys: [
        { id: 'a1', apiKey: LIMITED, account: 'a' },
        { id: 'a2', apiKey: BROKEN, account: 'a' },
        { id: 'b', apiKey: HEALTHY, priority: 1 },
      ],
      strategy: 'round-robin',
    });
    await service.chat(request);
    expect(service.snapshot().keys.map((k) => k.state)).toEqual(['cooling', 'cooling', 'ready']);
    expect(transport.callsTo(BROKEN)).toBe(0);
    await jest.advanceTimersByTimeAsync(1_001);
    await service.chat(request);
    expect(defined(service.snapshot().keys[0].cooldownUntilMs) - Date.now()).toBeLessThanOrEqual(1_000);
  });

  it('learns the account limit DeepSeek reports in its concurrency 429 and stays under it', async () => {
    const releases: Array<() => void> = [];
    const held = () =>
      new Promise<never>((_, reject) =>
        releases.push(() => reject(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))),
      );
    transport.script(
      LIMITED,
      {
        status: 429,
        body: deepseekError(
          'Your current concurrency is 2, which exceeds your concurrency limit of 1 based on your remaining balance. Please top up...',
        ),
      },
      held,
    );
    transport.script(BROKEN, held);
    transport.script(HEALTHY, { status: 200, body: completion() });
    const service = pool({
      keys: [
        { id: 'a1', apiKey: LIMITED, account: 'a' },
        { id: 'a2', apiKey: BROKEN, account: 'a' },
        { id: 'b', apiKey: HEALTHY, priority: 1 },
      ],
      strategy: 'round-robin',
      retry: { maxAttempts: 1 },
    });
    await service.chat(request).catch(() => undefined);
    await jest.advanceTimersByTimeAsync(1_001);
    const heldCall = service.chat(request).catch(() => undefined);
    await jest.advanceTimersByTimeAsync(0);
    const accountCallsBefore = transport.callsTo(LIMITED) + transport.callsTo(BROKEN);
    const second = await service.chat(request);
    expect(second.meta.keyId).toBe('b');
    expect(transport.callsTo(LIMITED) + transport.callsTo(BROKEN)).toBe(accountCallsBefore);
    releases.forEach((release) => release());
    await heldCall;
  });

  it('starts a call waiting for a full key the moment one of its calls ends, not after a backoff', async () => {
    let finish!: () => void;
    transport.script(
      HEALTHY,
      { status: 200, body: completion(), until: new Promise((resolve) => (finish = resolve)) },
      { status: 200, body: completion() },
    );
    const service = pool({
      keys: [{ id: 'only', apiKey: HEALTHY, maxConcurrency: 1 }],
      retry: { backoff: { baseMs: 60_000, maxMs: 60_000 }, maxWaitForKeyMs: 120_000 },
      rng: () => 0.99,
    });
    const first = service.chat(request);
    await jest.advanceTimersByTimeAsync(0);
    const waiting = service.chat(request);
    await jest.advanceTimersByTimeAsync(100);
    expect(transport.callsTo(HEALTHY)).toBe(1);
    finish();
    await first;
    await jest.advanceTimersByTimeAsync(0);
    expect(transport.callsTo(HEALTHY)).toBe(2);
    await expect(waiting).resolves.toMatchObject({ meta: { keyId: 'only', attempts: 1 } });
  });

  it('never tries the same key twice while another is eligible', async () => {
    transport.script(BROKEN, { status: 500, body: deepseekError('Server Error') });
    transport.script(LIMITED, { status: 503, body: deepseekError('Server Overloaded') });
    transport.script(HEALTHY, { status: 200, body: completion() });
    const service = pool({ keys: [BROKEN, LIMITED, HEALTHY], retry: { maxAttempts: 3 } });
    for (let i = 0; i < 20; i++) {
      const { meta } = await service.chat(request);
      const ids = meta.trace.map((t) => t.keyId);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it('throws AttemptsExhaustedError with the last upstream error when every attempt fails', async () => {
    transport.script(BROKEN, { status: 500, body: deepseekError('Server Error') });
    transport.script(LIMITED, { networkError: 'ECONNRESET' });
    const service = pool({ keys: [BROKEN, LIMITED], retry: { maxAttempts: 2 } });
    const error = await service.chat(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AttemptsExhaustedError);
    expect((error as AttemptsExhaustedError).attempts.map((a) => a.outcome).sort()).toEqual(['http', 'network']);
  });

  it('caps retries with the retry budget when the provider is down', async () => {
    transport.script(BROKEN, { status: 503, body: deepseekError('Server Overloaded') });
    transport.script(LIMITED, { status: 503, body: deepseekError('Server Overloaded') });
    const service = pool({
      keys: [BROKEN, LIMITED],
      retry: { maxAttempts: 5, budget: { ratio: 0.2, minRetriesPerSecond: 1, windowMs: 10_000 } },
      breaker: { volumeThreshold: 1_000_000 },
    });
    const requests = 500;
    for (let i = 0; i < requests; i++) await service.chat(request).catch(() => undefined);
    const retries = transport.calls.length - requests;
    expect(retries).toBeLessThanOrEqual(0.2 * requests + 10);
    expect(retries).toBeGreaterThan(0);
  });

  it('throws NoAvailableKeyError with the earliest recovery when every key is cooling', async () => {
    transport.script(LIMITED, {
      status: 429,
      body: deepseekError('Rate Limit Reached'),
      headers: { 'retry-after': '30' },
    });
    const service = pool({ keys: [LIMITED], retry: { maxWaitForKeyMs: 0 } });
    await service.chat(request).catch(() => undefined);
    const error = await service.chat(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoAvailableKeyError);
    expect((error as NoAvailableKeyError).rateLimited).toBe(true);
    expect((error as NoAvailableKeyError).retryAfterMs).toBeGreaterThan(29_000);
    expect((error as NoAvailableKeyError).retryAfterMs).toBeLessThanOrEqual(30_000);
  });

  it('waits for a key that recovers within maxWaitForKeyMs instead of failing', async () => {
    transport.script(
      LIMITED,
      { status: 429, body: deepseekError('Rate Limit Reached'), headers: { 'retry-after-ms': '500' } },
      { status: 200, body: completion() },
    );
    const service = pool({ keys: [{ id: 'only', apiKey: LIMITED }], retry: { maxWaitForKeyMs: 2_000 } });
    const pending = service.chat(request);
    await jest.advanceTimersByTimeAsync(600);
    await expect(pending).resolves.toMatchObject({ meta: { keyId: 'only', attempts: 2 } });
  });

  it('serves from a higher priority only when no key of a lower one can', async () => {
    transport.script(HEALTHY, { status: 200, body: completion() });
    transport.script(LIMITED, { status: 200, body: completion() });
    const service = pool({
      keys: [
        { id: 'primary', apiKey: HEALTHY },
        { id: 'backup', apiKey: LIMITED, priority: 1 },
      ],
    });
    for (let i = 0; i < 20; i++) await service.chat(request);
    expect(transport.callsTo(LIMITED)).toBe(0);
    service.snapshot();
  });

  it('maps model names per instance and skips keys that do not serve the model', async () => {
    transport.script(HEALTHY, { status: 200, body: completion() });
    const service = pool({
      keys: [
        { id: 'pro-only', apiKey: LIMITED, models: ['deepseek-v4-pro'] },
        { id: 'selfhosted', apiKey: HEALTHY, modelMap: { 'deepseek-v4-flash': 'local-flash' } },
      ],
    });
    const result = await service.chat(request);
    expect(result.meta.keyId).toBe('selfhosted');
    expect(transport.calls[0].body).toMatchObject({ model: 'local-flash', stream: false });
  });

  it('rejects a model no key serves as a caller error, without calling upstream', async () => {
    transport.script(HEALTHY, { status: 200, body: completion() });
    const service = pool({ keys: [{ id: 'pro-only', apiKey: HEALTHY, models: ['deepseek-v4-pro'] }] });
    const error = await service.chat(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({ field: 'model', status: 400 });
    expect(transport.calls).toHaveLength(0);
  });

  it('counts tokens from the usage upstream returns', async () => {
    transport.script(HEALTHY, { status: 200, body: completion() });
    const service = pool({ keys: [{ id: 'k', apiKey: HEALTHY }] });
    await service.chat(request);
    await service.chat(request);
    expect(service.snapshot().keys[0].tokens).toEqual({
      prompt: 20,
      completion: 10,
      cacheHit: 8,
      cacheMiss: 12,
      reasoning: 0,
    });
  });

  it('opens a key breaker on repeated 5xx and stops sending to it', async () => {
    transport.script(BROKEN, { status: 500, body: deepseekError('Server Error') });
    transport.script(HEALTHY, { status: 200, body: completion() });
    const service = thenHealthy('broken', BROKEN, { breaker: { volumeThreshold: 3 } });
    for (let i = 0; i < 30; i++) await service.chat(request);
    expect(service.snapshot().keys[0]).toMatchObject({ state: 'open', breaker: 'open' });
    expect(transport.callsTo(BROKEN)).toBeLessThanOrEqual(3);
  });
});
