import {
  type ChatCompletion,
  type ChatCompletionChunk,
  DeepSeekDegradationModule,
  type DeepSeekDegradationOptions,
  assembleChunks,
} from 'nestjs-deepseek-pool';
import { type DegradationApp, sseData, startDegradationApp } from './support/degradation-app.js';

// End to end: a real Nest app on 127.0.0.1 whose `@Degradable()` routes call the pool, the DeepSeek mock upstream,
// real HTTP requests. Tiers, marking, the pool-wide breaker (no upstream call while open), tenant isolation, streaming.

const ask = (content: string, extra: Record<string, unknown> = {}) => ({
  model: 'deepseek-v4-pro',
  messages: [{ role: 'user', content }],
  temperature: 0,
  ...extra,
});
const alice = { authorization: 'Bearer client-alice' };
const bob = { authorization: 'Bearer client-bob' };
const HEADER = 'x-deepseek-pool-degraded';

describe('DeepSeekDegradationInterceptor (Nest app, real HTTP, DeepSeek mock)', () => {
  let s: DegradationApp;
  const started: DegradationApp[] = [];

  async function start(options: DeepSeekDegradationOptions = {}): Promise<DegradationApp> {
    s = await startDegradationApp(DeepSeekDegradationModule.forRoot({ logger: false, ...options }));
    started.push(s);
    return s;
  }

  afterEach(async () => {
    await Promise.all(started.splice(0).map((app) => app.close()));
  });

  function down(...keys: Array<'pro' | 'flash'>): void {
    for (const key of keys) s.mock.setKey(key, { status: 503 });
  }

  it('answers fresh without a mark, then from the cache marked "cache" when the pool cannot serve', async () => {
    await start();
    const fresh = await s.post('/v1/chat/completions', ask('What is 2 + 2?'), alice);
    expect(fresh.status).toBe(200);
    expect(fresh.headers[HEADER]).toBeUndefined();
    down('pro', 'flash');

    const cached = await s.post('/v1/chat/completions', ask('What is 2 + 2?'), alice);

    expect(cached.status).toBe(200);
    expect(cached.headers[HEADER]).toBe('cache');
    expect(cached.json).toEqual(fresh.json);
    expect(s.degraded).toEqual([['cache', 'deepseek-v4-pro']]);
  });

  it('tries the tiers in order: cache, then a lighter model, then the 503 fallback with Retry-After', async () => {
    await start();
    await s.post('/v1/chat/completions', ask('cached question'), alice);
    down('pro');

    const cached = await s.post('/v1/chat/completions', ask('cached question'), alice);
    expect(cached.headers[HEADER]).toBe('cache');
    expect(s.mock.stats().keys.flash.requests.chat).toBe(0);

    const lighter = await s.post('/v1/chat/completions', ask('new question'), alice);
    expect(lighter.status).toBe(200);
    expect(lighter.headers[HEADER]).toBe('model');
    const answer = lighter.json as ChatCompletion;
    expect(answer.model).toBe('deepseek-v4-flash');
    expect(answer.choices[0].message.content).toContain('Mock answer from flash');

    down('flash');
    const fallback = await s.post('/v1/chat/completions', ask('another question'), alice);
    expect(fallback.status).toBe(503);
    expect(fallback.headers[HEADER]).toBe('fallback');
    expect(Number(fallback.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(fallback.json).toEqual({
      error: {
        message: 'System busy, please retry shortly',
        type: 'service_unavailable',
        param: null,
        code: 'service_unavailable',
      },
    });
    expect(s.degraded.map(([tier]) => tier)).toEqual(['cache', 'model', 'fallback']);
  });

  it('answers the fallback as a 200 assistant message on a route configured so', async () => {
    await start();
    down('pro', 'flash');
    const answer = await s.post('/v1/friendly/chat/completions', ask('q'), alice);
    expect(answer.status).toBe(200);
    expect(answer.headers[HEADER]).toBe('fallback');
    expect((answer.json as ChatCompletion).choices[0].message).toEqual({
      role: 'assistant',
      content: 'System busy, please retry shortly',
    });
  });

  it('never degrades a 400: an upstream 400, a 422 or an invalid body go back to the caller unmarked', async () => {
    await start();
    down('flash');
    const retired = await s.post('/v1/chat/completions', ask('q', { model: 'deepseek-v4-pro-retired' }), alice);
    const schema = await s.post('/v1/chat/completions', ask('q', { response_format: { type: 'json_schema' } }), alice);
    const invalid = await s.post('/v1/chat/completions', { model: 'deepseek-v4-pro', messages: [] }, alice);
    expect([retired.status, schema.status, invalid.status]).toEqual([400, 422, 400]);
    for (const answer of [retired, schema, invalid]) expect(answer.headers[HEADER]).toBeUndefined();
    expect(s.degraded).toEqual([]);
  });

  it('makes no upstream call at all while the pool breaker is open, and still serves the cache', async () => {
    await start({ breaker: { minimumVolume: 2, resetTimeoutMs: 60_000 } });
    await s.post('/v1/chat/completions', ask('cached question'), alice);
    down('pro', 'flash');
    await s.post('/v1/chat/completions', ask('q1'), alice);
    await s.post('/v1/chat/completions', ask('q2'), alice);
    const before = s.upstreamChats();

    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await s.post('/v1/chat/completions', ask(`while open ${i}`), alice));
    const cached = await s.post('/v1/chat/completions', ask('cached question'), alice);

    expect(s.upstreamChats()).toBe(before);
    for (const answer of answers) {
      expect(answer.status).toBe(503);
      expect(answer.headers[HEADER]).toBe('fallback');
      expect(Number(answer.headers['retry-after'])).toBeGreaterThan(30);
      expect(Number(answer.headers['retry-after'])).toBeLessThanOrEqual(60);
    }
    expect(cached.headers[HEADER]).toBe('cache');
  });

  it("never serves user B user A's cached answer", async () => {
    await start();
    await s.post('/v1/chat/completions', ask('private question'), alice);
    down('pro', 'flash');

    const forBob = await s.post('/v1/chat/completions', ask('private question'), bob);
    const anonymous = await s.post('/v1/chat/completions', ask('private question'));
    const forAlice = await s.post('/v1/chat/completions', ask('private question'), alice);

    expect([forBob.headers[HEADER], anonymous.headers[HEADER], forAlice.headers[HEADER]]).toEqual([
      'fallback',
      'fallback',
      'cache',
    ]);
    expect(forBob.text).not.toContain('private question');
  });

  describe('streaming routes', () => {
    const chunksOf = (text: string): ChatCompletionChunk[] => {
      const data = sseData(text);
      expect(data.at(-1)).toBe('[DONE]');
      return data.slice(0, -1).map((event) => JSON.parse(event) as ChatCompletionChunk);
    };

    it('caches a streamed answer once complete and replays it as a well-formed SSE stream', async () => {
      await start();
      const fresh = await s.post('/v1/chat/completions', ask('stream me', { stream: true }), alice);
      expect(fresh.headers['content-type']).toContain('text/event-stream');
      const freshAnswer = assembleChunks(chunksOf(fresh.text));
      down('pro', 'flash');

      const replay = await s.post('/v1/chat/completions', ask('stream me', { stream: true }), alice);
      const asJson = await s.post('/v1/chat/completions', ask('stream me'), alice);

      expect(replay.status).toBe(200);
      expect(replay.headers[HEADER]).toBe('cache');
      const chunks = chunksOf(replay.text);
      expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
      expect(chunks.at(-1)).toMatchObject({ choices: [{ finish_reason: 'stop' }], usage: freshAnswer?.usage });
      expect(assembleChunks(chunks)).toEqual(freshAnswer);
      expect(asJson.headers[HEADER]).toBe('cache');
      expect(asJson.json).toEqual(freshAnswer);
    });

    it('never caches a stream cut after content: the cut reaches the client, the next request falls back', async () => {
      await start();
      s.mock.setKey('pro', { cutAfterChunks: 2 });
      const cut = await s.post('/v1/chat/completions', ask('cut me', { stream: true }), alice);
      expect(sseData(cut.text).at(-1)).toContain('"error"');
      s.mock.setKey('pro', { cutAfterChunks: null, status: 503 });
      down('flash');

      const after = await s.post('/v1/chat/completions', ask('cut me', { stream: true }), alice);

      expect(after.status).toBe(503);
      expect(after.headers[HEADER]).toBe('fallback');
    });

    it('replays the fallback message as a well-formed SSE stream', async () => {
      await start();
      down('pro', 'flash');
      const replay = await s.post('/v1/friendly/chat/completions', ask('q', { stream: true }), alice);
      expect(replay.headers[HEADER]).toBe('fallback');
      expect(assembleChunks(chunksOf(replay.text))?.choices[0].message.content).toBe(
        'System busy, please retry shortly',
      );
    });
  });

  it('pool.chat(request, { degrade: true }) degrades without the interceptor', async () => {
    await start({ fallback: { as: 'message' } });
    const fresh = await s.post('/v1/direct', ask('direct question'), { 'x-user': 'alice' });
    down('pro', 'flash');

    const cached = await s.post('/v1/direct', ask('direct question'), { 'x-user': 'alice' });
    const other = await s.post('/v1/direct', ask('direct question'), { 'x-user': 'bob' });

    expect(cached.json).toMatchObject({ data: (fresh.json as { data: unknown }).data, meta: { degraded: 'cache' } });
    expect(other.json).toMatchObject({ meta: { degraded: 'fallback' } });
    expect(cached.headers[HEADER]).toBeUndefined();
  });
});
