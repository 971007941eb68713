import { jest } from '@jest/globals';
import { type Cache, createCache } from 'cache-manager';
import { concat, lastValueFrom, of, throwError, toArray } from 'rxjs';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest } from '../chat.types.js';
import { mulberry32 } from 'nestjs-deepseek-pool-mock';
import {
  AttemptsExhaustedError,
  InvalidRequestError,
  NoAvailableKeyError,
  RequestAbortedError,
  StreamInterruptedError,
  UpstreamError,
} from '../deepseek-pool.errors.js';
import { resolveOptions } from '../deepseek-pool.options.js';
import { type PoolCore, createPoolCore } from '../core/pool-core.js';
import { DeepSeekPoolService } from '../deepseek-pool.service.js';
import type { PoolMetricsRecorder } from '../metrics/metrics-recorder.js';
import { DONE, chunkEvent, finalEvent, sseReply } from '../streaming/sse-reply.fixture.js';
import { ScriptedTransport, completion, deepseekError } from '../testing/scripted-transport.js';
import { DegradedUnavailableError } from './degradation.errors.js';
import { type DeepSeekDegradationOptions, resolveDegradationOptions, resolveFallback } from './degradation.options.js';
import { DeepSeekDegradationService, type DegradationInput } from './degradation.service.js';
import type { DegradationTier } from './degradation-tiers.js';
import { assembleChunks, completionToChunks } from './sse-replay.js';

const PRO = 'sk-pro00000000000000001';
const FLASH = 'sk-flash000000000000002';
const ask = (content: string, fields: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest => ({
  model: 'deepseek-v4-pro',
  messages: [{ role: 'user', content }],
  temperature: 0,
  ...fields,
});
const proAnswer = completion('fresh from pro', { model: 'deepseek-v4-pro' }) as ChatCompletion;
const flashAnswer = completion('fresh from flash', { model: 'deepseek-v4-flash-0425' }) as ChatCompletion;
const down = { status: 503, body: deepseekError('Service Unavailable', 'server_error') };

describe('DeepSeekDegradationService (scripted upstream, fake timers)', () => {
  let transport: ScriptedTransport;
  let core: PoolCore;
  let pool: DeepSeekPoolService;
  let degraded: jest.Mock<PoolMetricsRecorder['degraded']>;
  let metrics: PoolMetricsRecorder;

  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
    transport = new ScriptedTransport();
    degraded = jest.fn<PoolMetricsRecorder['degraded']>();
    metrics = {
      attempt: () => undefined,
      request: () => undefined,
      retry: () => undefined,
      usage: () => undefined,
      degraded,
    };
    core = createPoolCore(
      resolveOptions({
        keys: [
          { id: 'pro', apiKey: PRO, models: ['deepseek-v4-pro'] },
          { id: 'flash', apiKey: FLASH, models: ['deepseek-v4-flash'] },
        ],
        transport,
        logger: false,
        rng: mulberry32(1),
        retry: { maxAttempts: 1, maxWaitForKeyMs: 0 },
        metrics,
      }),
    );
    pool = new DeepSeekPoolService(core);
  });

  afterEach(async () => {
    await core.close();
    jest.useRealTimers();
  });

  function degradation(
    options: DeepSeekDegradationOptions = {},
    cache: Cache = createCache(),
  ): DeepSeekDegradationService {
    const resolved = resolveDegradationOptions(
      { logger: false, breaker: { minimumVolume: 100 }, ...options },
      { clock: { now: () => Date.now() }, metrics },
    );
    const service = new DeepSeekDegradationService(resolved, cache, core);
    pool = new DeepSeekPoolService(core, service);
    return service;
  }

  describe('pool.chat(request, { degrade: true })', () => {
    it('returns fresh answers untouched and unmarked', async () => {
      degradation();
      transport.script(PRO, { status: 200, body: proAnswer });
      const result = await pool.chat(ask('q'), { degrade: true, tenant: 'alice' });
      expect(result.data).toEqual(proAnswer);
      expect(result.meta.degraded).toBeUndefined();
      expect(degraded).not.toHaveBeenCalled();
    });

    it('serves the last good answer from the cache when the pool cannot serve, marked "cache"', async () => {
      degradation();
      transport.script(PRO, { status: 200, body: proAnswer }, down);
      await pool.chat(ask('q'), { degrade: true, tenant: 'alice' });
      const result = await pool.chat(ask('q'), { degrade: true, tenant: 'alice' });
      expect(result.data).toEqual(proAnswer);
      expect(result.meta).toMatchObject({
        degraded: 'cache',
        keyId: '',
        attempts: 1,
        trace: [{ keyId: 'pro', status: 503 }],
      });
      expect(degraded).toHaveBeenCalledWith('cache', 'deepseek-v4-pro');
    });

    it.each<[string, Partial<ChatCompletionRequest>, DegradationTier, string]>([
      ['the cache first', {}, 'cache', 'fresh from pro'],
      ['a lighter model when nothing is cached', { temperature: 1 }, 'model', 'fresh from flash'],
    ])('tries %s', async (_why, fields, tier, content) => {
      degradation();
      transport.script(PRO, { status: 200, body: proAnswer }, down);
      transport.script(FLASH, { status: 200, body: flashAnswer });
      await pool.chat(ask('q', fields), { degrade: true, tenant: 'alice' });
      const result = await pool.chat(ask('q', fields), { degrade: true, tenant: 'alice' });
      expect(result.meta.degraded).toBe(tier);
      expect(result.data.choices[0].message.content).toBe(content);
      expect(transport.callsTo(FLASH)).toBe(tier === 'model' ? 1 : 0);
    });

    it('serves a lighter model as upstream returned it: its own model name, its key, the whole trace', async () => {
      degradation();
      transport.script(PRO, down);
      transport.script(FLASH, { status: 200, body: flashAnswer });
      const result = await pool.chat(ask('q'), { degrade: true, tenant: 'alice' });
      expect(result.data).toEqual(flashAnswer);
      expect(result.data.model).toBe('deepseek-v4-flash-0425');
      expect(result.meta).toMatchObject({ degraded: 'model', keyId: 'flash', attempts: 2 });
      expect(transport.calls.map((call) => [call.apiKey, (call.body as ChatCompletionRequest).model])).toEqual([
        [PRO, 'deepseek-v4-pro'],
        [FLASH, 'deepseek-v4-flash'],
      ]);
      expect(degraded).toHaveBeenCalledWith('model', 'deepseek-v4-pro');
    });

    it('falls back last: as an assistant message when configured so', async () => {
      degradation({ fallback: { as: 'message' } });
      transport.script(PRO, down);
      transport.script(FLASH, down);
      const result = await pool.chat(ask('q'), { degrade: true, tenant: 'alice' });
      expect(result.meta).toMatchObject({ degraded: 'fallback', attempts: 2 });
      expect(result.data.choices[0].message).toEqual({
        role: 'assistant',
        content: 'System busy, please retry shortly',
      });
      expect(degraded).toHaveBeenCalledWith('fallback', 'deepseek-v4-pro');
    });

    it('falls back last: by default as a 503 error with Retry-After from the pool hint, rounded up', async () => {
      degradation({ modelFallbacks: {} });
      transport.script(PRO, {
        status: 429,
        headers: { 'retry-after': '7' },
        body: deepseekError('Rate Limit Reached'),
      });
      const error = await pool.chat(ask('q'), { degrade: true, tenant: 'alice' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DegradedUnavailableError);
      expect(error).toMatchObject({
        status: 503,
        retryAfterMs: 7_000,
        body: { error: { message: 'System busy, please retry shortly', type: 'service_unavailable' } },
      });
      expect(degraded).toHaveBeenCalledWith('fallback', 'deepseek-v4-pro');
    });

    it('rethrows the pool error when no configured tier can answer', async () => {
      degradation({ tiers: ['cache'] });
      transport.script(PRO, down);
      await expect(pool.chat(ask('q'), { degrade: true, tenant: 'alice' })).rejects.toThrow(/All attempts failed/);
      expect(degraded).not.toHaveBeenCalled();
    });

    it('never degrades a 400: the caller gets it, no tier runs, the breaker does not count it', async () => {
      const service = degradation({ fallback: { as: 'message' } });
      transport.script(PRO, { status: 400, body: deepseekError('Model Not Exist') });
      await expect(pool.chat(ask('q'), { degrade: true, tenant: 'alice' })).rejects.toMatchObject({
        constructor: UpstreamError,
        status: 400,
      });
      await expect(pool.chat({ model: 'deepseek-v4-pro', messages: [] }, { degrade: true })).rejects.toThrow(
        InvalidRequestError,
      );
      expect(transport.callsTo(FLASH)).toBe(0);
      expect(degraded).not.toHaveBeenCalled();
      expect(service.breaker.totals).toEqual({ calls: 0, failures: 0 });
    });

    it('never degrades a caller abort', async () => {
      degradation({ fallback: { as: 'message' } });
      const aborted = AbortSignal.abort();
      await expect(pool.chat(ask('q'), { degrade: true, signal: aborted })).rejects.toThrow(RequestAbortedError);
      expect(degraded).not.toHaveBeenCalled();
    });

    it("never serves one tenant another tenant's answer", async () => {
      degradation({ fallback: { as: 'message' } });
      transport.script(PRO, { status: 200, body: proAnswer }, down);
      transport.script(FLASH, down);
      await pool.chat(ask('q'), { degrade: true, tenant: 'alice' });
      const bob = await pool.chat(ask('q'), { degrade: true, tenant: 'bob' });
      const anonymous = await pool.chat(ask('q'), { degrade: true });
      const alice = await pool.chat(ask('q'), { degrade: true, tenant: 'alice' });
      expect([bob.meta.degraded, anonymous.meta.degraded, alice.meta.degraded]).toEqual([
        'fallback',
        'fallback',
        'cache',
      ]);
    });

    it("scopes by the request's user field when no tenant is given", async () => {
      degradation({ fallback: { as: 'message' } });
      transport.script(PRO, { status: 200, body: proAnswer }, down);
      await pool.chat(ask('q', { user: 'u1' }), { degrade: true });
      await expect(pool.chat(ask('q', { user: 'u1' }), { degrade: true })).resolves.toMatchObject({
        meta: { degraded: 'cache' },
      });
      await expect(pool.chat(ask('q', { user: 'u2' }), { degrade: true })).resolves.toMatchObject({
        meta: { degraded: 'fallback' },
      });
    });

    it('caches no error and no non-deterministic answer unless opted in', async () => {
      degradation({ fallback: { as: 'message' }, modelFallbacks: {} });
      transport.script(PRO, down, { status: 200, body: proAnswer }, down);
      await pool.chat(ask('q'), { degrade: true, tenant: 'alice' });
      await pool.chat(ask('q', { temperature: 0.7 }), { degrade: true, tenant: 'alice' });
      await expect(
        pool.chat(ask('q', { temperature: 0.7 }), { degrade: true, tenant: 'alice' }),
      ).resolves.toMatchObject({ meta: { degraded: 'fallback' } });
      await expect(pool.chat(ask('q'), { degrade: true, tenant: 'alice' })).resolves.toMatchObject({
        meta: { degraded: 'fallback' },
      });
    });

    it('caches non-deterministic answers when opted in', async () => {
      degradation({ cacheNonDeterministic: true, modelFallbacks: {} });
      transport.script(PRO, { status: 200, body: proAnswer }, down);
      await pool.chat(ask('q', { temperature: undefined }), { degrade: true, tenant: 'alice' });
      await expect(
        pool.chat(ask('q', { temperature: undefined }), { degrade: true, tenant: 'alice' }),
      ).resolves.toMatchObject({ meta: { degraded: 'cache' } });
    });

    it('serves a cached answer only within cacheTtlMs', async () => {
      degradation({ cacheTtlMs: 60_000, fallback: { as: 'message' }, modelFallbacks: {} });
      transport.script(PRO, { status: 200, body: proAnswer }, down);
      await pool.chat(ask('q'), { degrade: true, tenant: 'alice' });
      jest.advanceTimersByTime(60_001);
      await expect(pool.chat(ask('q'), { degrade: true, tenant: 'alice' })).resolves.toMatchObject({
        meta: { degraded: 'fallback' },
      });
    });
  });

  describe('pool.stream(request, { degrade: true })', () => {
    const collect = async (stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> => {
      const chunks: ChatCompletionChunk[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      return chunks;
    };

    it('passes a fresh stream through with the serving key in its meta, and caches it for the chat path', async () => {
      degradation();
      transport.script(PRO, sseReply([chunkEvent({ content: 'streamed' }), finalEvent(), DONE]), down);

      const stream = pool.stream(ask('q', { stream: true }), { degrade: true, tenant: 'alice' });
      const chunks = await collect(stream);
      const cached = await pool.chat(ask('q'), { degrade: true, tenant: 'alice' });

      expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('streamed');
      await expect(stream.meta).resolves.toMatchObject({ keyId: 'pro', attempts: 1 });
      expect((await stream.meta).degraded).toBeUndefined();
      expect(cached.meta.degraded).toBe('cache');
      expect(cached.data.choices[0].message.content).toBe('streamed');
    });

    it.each<[string, Partial<ChatCompletionRequest>, DegradationTier, string]>([
      ['the cached answer', {}, 'cache', 'fresh from pro'],
      ['a lighter model (called without streaming)', { temperature: 1 }, 'model', 'fresh from flash'],
    ])('replays %s as chunks when the stream cannot start, its tier in meta', async (_why, fields, tier, content) => {
      degradation();
      transport.script(PRO, { status: 200, body: proAnswer }, down);
      transport.script(FLASH, { status: 200, body: flashAnswer });
      await pool.chat(ask('q', fields), { degrade: true, tenant: 'alice' });

      const stream = pool.stream(ask('q', { ...fields, stream: true }), { degrade: true, tenant: 'alice' });
      const replay = assembleChunks(await collect(stream));

      expect(replay?.choices[0].message.content).toBe(content);
      await expect(stream.meta).resolves.toEqual({ keyId: '', attempts: 0, trace: [], degraded: tier });
      expect(degraded).toHaveBeenCalledWith(tier, 'deepseek-v4-pro');
    });

    it('rethrows what no tier can serve, and never degrades a 400', async () => {
      degradation({ tiers: ['cache'] });
      transport.script(PRO, down, { status: 400, body: deepseekError('bad', 'invalid_request_error') });
      await expect(collect(pool.stream(ask('q', { stream: true }), { degrade: true }))).rejects.toThrow(
        AttemptsExhaustedError,
      );
      await expect(collect(pool.stream(ask('q', { stream: true }), { degrade: true }))).rejects.toThrow(UpstreamError);
    });
  });

  describe('the pool-wide breaker', () => {
    const breaker = { minimumVolume: 2, resetTimeoutMs: 10_000, halfOpenTrials: 1 };

    it('opens above the error rate: no upstream call at all while open, tiers at once, Retry-After until the probe', async () => {
      const service = degradation({ breaker, modelFallbacks: {} });
      transport.script(PRO, down);
      await expect(pool.chat(ask('q1'), { degrade: true })).rejects.toMatchObject({ retryAfterMs: 0 });
      await expect(pool.chat(ask('q2'), { degrade: true })).rejects.toMatchObject({ retryAfterMs: 10_000 });
      expect(service.breaker.state).toBe('open');
      expect(transport.calls).toHaveLength(2);

      jest.advanceTimersByTime(3_500);
      const error = await pool.chat(ask('q3'), { degrade: true }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DegradedUnavailableError);
      expect(error).toMatchObject({ retryAfterMs: 6_500, cause: { code: 'POOL_BREAKER_OPEN' } });
      expect(transport.calls).toHaveLength(2);
    });

    it('skips lighter models while open (they would be upstream calls)', async () => {
      const service = degradation({ breaker, fallback: { as: 'message' } });
      transport.script(PRO, down);
      transport.script(FLASH, down);
      await pool.chat(ask('q1'), { degrade: true });
      await pool.chat(ask('q2'), { degrade: true });
      expect(service.breaker.state).toBe('open');
      transport.script(FLASH, { status: 200, body: flashAnswer });
      const calls = transport.calls.length;
      await expect(pool.chat(ask('q3'), { degrade: true })).resolves.toMatchObject({ meta: { degraded: 'fallback' } });
      expect(transport.calls.length).toBe(calls);
    });

    it('half-opens after the reset timeout, lets the probes through, then closes', async () => {
      const service = degradation({ breaker, fallback: { as: 'message' }, modelFallbacks: {} });
      transport.script(PRO, down);
      await pool.chat(ask('q1'), { degrade: true });
      await pool.chat(ask('q2'), { degrade: true });
      expect(service.breaker.state).toBe('open');
      jest.advanceTimersByTime(10_000);
      expect(service.breaker.state).toBe('half-open');
      transport.script(PRO, { status: 200, body: proAnswer });
      await expect(pool.chat(ask('probe'), { degrade: true })).resolves.toMatchObject({ data: proAnswer });
      expect(service.breaker.state).toBe('closed');
    });

    it('re-opens when a probe fails', async () => {
      const service = degradation({ breaker, fallback: { as: 'message' }, modelFallbacks: {} });
      transport.script(PRO, down);
      await pool.chat(ask('q1'), { degrade: true });
      await pool.chat(ask('q2'), { degrade: true });
      jest.advanceTimersByTime(10_000);
      const calls = transport.calls.length;
      await pool.chat(ask('probe'), { degrade: true });
      expect(transport.calls.length).toBe(calls + 1);
      expect(service.breaker.state).toBe('open');
    });
  });

  describe('runStream', () => {
    const streamed = completion('streamed answer', {
      model: 'deepseek-v4-pro',
      created: 1_700_000_000,
      choices: [
        { index: 0, message: { role: 'assistant', content: 'streamed answer' }, logprobs: null, finish_reason: 'stop' },
      ],
    }) as ChatCompletion;
    const chunks = completionToChunks(streamed);

    function input(tiers: DegradationTier[] = []): DegradationInput {
      return {
        request: ask('q', { stream: true }),
        tenant: 'alice',
        fallback: resolveFallback({ as: 'message' }, 'fallback'),
        call: (request) => pool.chat(request),
        onDegraded: (tier) => tiers.push(tier),
      };
    }
    const collect = (stream: ReturnType<DeepSeekDegradationService['runStream']>) =>
      lastValueFrom(stream.pipe(toArray()));
    /** What the service streams when the pool has no key for the call, and the tiers that served it. */
    async function withoutKeys(service: DeepSeekDegradationService) {
      const tiers: DegradationTier[] = [];
      const replay = await collect(
        service.runStream(
          input(tiers),
          throwError(() => new NoAvailableKeyError('none', 1_000, true)),
        ),
      );
      return { replay, tiers };
    }

    it('passes a fresh stream through and stores it once complete; replays it when the pool cannot serve', async () => {
      const service = degradation();
      await expect(collect(service.runStream(input(), of(...chunks)))).resolves.toEqual(chunks);
      const { replay, tiers } = await withoutKeys(service);
      expect(assembleChunks(replay)).toEqual(streamed);
      expect(tiers).toEqual(['cache']);
    });

    it('stores no partial stream: an error after the first chunk passes through', async () => {
      const service = degradation();
      const cut = new StreamInterruptedError('cut', 'pro', { kind: 'protocol', detail: 'stream cut' }, []);
      await expect(
        collect(
          service.runStream(
            input(),
            concat(
              of(...chunks.slice(0, 2)),
              throwError(() => cut),
            ),
          ),
        ),
      ).rejects.toBe(cut);
      expect((await withoutKeys(service)).tiers).toEqual(['fallback']);
    });

    it('stores no stream that ended without a finish reason', async () => {
      const service = degradation();
      await collect(service.runStream(input(), of(...chunks.slice(0, 2))));
      expect((await withoutKeys(service)).tiers).toEqual(['fallback']);
    });

    it('replays the fallback as a well-formed chunk sequence', async () => {
      const service = degradation();
      const { replay } = await withoutKeys(service);
      expect(replay[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
      expect(replay.at(-1)?.choices[0].finish_reason).toBe('stop');
      expect(assembleChunks(replay)?.choices[0].message.content).toBe('System busy, please retry shortly');
    });

    it('streams a lighter model (called without streaming) as a replay', async () => {
      const service = degradation();
      transport.script(FLASH, { status: 200, body: flashAnswer });
      const { replay, tiers } = await withoutKeys(service);
      expect(tiers).toEqual(['model']);
      expect(assembleChunks(replay)).toEqual({
        ...flashAnswer,
        choices: [{ ...flashAnswer.choices[0], logprobs: null }],
      });
      expect(transport.calls[0].body).toMatchObject({ model: 'deepseek-v4-flash', stream: false });
    });

    it('never degrades a stream error that is the caller’s', async () => {
      const service = degradation();
      const invalid = new UpstreamError('bad', { kind: 'http', status: 422 }, 'pro', undefined);
      await expect(
        collect(
          service.runStream(
            input(),
            throwError(() => invalid),
          ),
        ),
      ).rejects.toBe(invalid);
    });

    it('counts a started stream as a success and a refused one as a failure on the pool breaker', async () => {
      const service = degradation({ breaker: { minimumVolume: 2, halfOpenTrials: 1 } });
      await collect(service.runStream(input(), of(...chunks)));
      await withoutKeys(service);
      expect(service.breaker.totals).toEqual({ calls: 2, failures: 1 });
    });
  });
});
