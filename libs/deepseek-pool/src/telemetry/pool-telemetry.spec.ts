import { expect, jest } from '@jest/globals';
import * as otelApi from '@opentelemetry/api';
import { ProxyTracer, type Span, SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { createCache } from 'cache-manager';
import type { ChatCompletionChunk } from '../chat.types.js';
import { mulberry32 } from 'nestjs-deepseek-pool-mock';
import { NoAvailableKeyError } from '../deepseek-pool.errors.js';
import { type DeepSeekPoolOptions, resolveOptions } from '../deepseek-pool.options.js';
import { type PoolCore, createPoolCore } from '../core/pool-core.js';
import { DeepSeekPoolAdmin } from '../deepseek-pool.admin.js';
import { DeepSeekPoolService } from '../deepseek-pool.service.js';
import { resolveDegradationOptions } from '../degradation/degradation.options.js';
import { DeepSeekDegradationService } from '../degradation/degradation.service.js';
import { DONE, ROLE, chunkEvent, finalEvent, sseReply } from '../streaming/sse-reply.fixture.js';
import { ScriptedTransport, completion, deepseekError } from '../testing/scripted-transport.js';
import { TelemetryHarness, allAttributeText } from './telemetry.fixture.js';
import { PoolTelemetry } from './pool-telemetry.js';
import { resolveTelemetryOptions } from './telemetry-options.js';
import type { OtelApiModule } from './otel-api.js';

const A = 'sk-otelkeyaaaaaaaaaaaa01';
const B = 'sk-otelkeybbbbbbbbbbbb02';
const C = 'sk-otelkeycccccccccccc03';
const SECRETS = [A, B, C];
const PROMPT = 'tell me the secret recipe';
const ANSWER = 'the answer is forty-two';
const request = {
  model: 'deepseek-v4-flash',
  messages: [{ role: 'user', content: PROMPT }],
  max_tokens: 256,
  temperature: 0.2,
  top_p: 0.9,
};
const keys = [
  { id: 'a', apiKey: A, baseUrl: 'https://api.deepseek.com', account: 'acct-1' },
  { id: 'b', apiKey: B, baseUrl: 'http://10.0.0.2:8080/v1', account: 'acct-2' },
  { id: 'c', apiKey: C, baseUrl: 'https://eu.example.com/v1', account: 'acct-3', provider: 'example-reseller' },
];

describe('OpenTelemetry spans and metrics of pool calls (in-memory exporter, fake timers)', () => {
  let otel: TelemetryHarness;
  let transport: ScriptedTransport;
  let core: PoolCore;
  let pool: DeepSeekPoolService;
  let admin: DeepSeekPoolAdmin;

  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
    otel = new TelemetryHarness();
    transport = new ScriptedTransport();
  });

  afterEach(async () => {
    await core.close();
    await otel.close();
    jest.useRealTimers();
  });

  async function start(
    options: Partial<DeepSeekPoolOptions> = {},
    telemetry: DeepSeekPoolOptions['telemetry'] = {},
  ): Promise<DeepSeekPoolService> {
    core = createPoolCore(
      resolveOptions({
        keys,
        strategy: 'round-robin',
        transport,
        logger: false,
        rng: mulberry32(5),
        retry: { maxWaitForKeyMs: 0 },
        ...options,
        telemetry: telemetry && {
          tracerProvider: otel.tracerProvider,
          meterProvider: otel.meterProvider,
          ...telemetry,
        },
      }),
    );
    pool = new DeepSeekPoolService(core);
    admin = new DeepSeekPoolAdmin(core);
    await core.ready;
    return pool;
  }

  /** Runs `fn` inside a span of the caller, as an instrumented app would. */
  function withCallerSpan<T>(fn: () => Promise<T>): { caller: Span; result: Promise<T> } {
    const caller = otel.tracerProvider
      .getTracer('app')
      .startSpan('POST /v1/chat/completions', { kind: SpanKind.SERVER });
    return { caller, result: context.with(trace.setSpan(context.active(), caller), fn) };
  }

  it('success: a call span child of the caller, one client attempt span beneath it, attributes one by one', async () => {
    transport.script(A, {
      status: 200,
      body: completion(ANSWER, {
        id: 'cmpl-9',
        model: 'deepseek-v4-flash-0425',
        usage: {
          prompt_tokens: 10,
          completion_tokens: 5,
          total_tokens: 15,
          prompt_cache_hit_tokens: 4,
          prompt_cache_miss_tokens: 6,
          completion_tokens_details: { reasoning_tokens: 2 },
        },
      }),
    });
    await start({ keys: [keys[0]] });
    const { caller, result } = withCallerSpan(() => pool.chat(request));
    await result;
    caller.end();

    const call = otel.call('chat deepseek-v4-flash');
    const [attempt] = otel.childrenOf(call);
    expect(otel.spans).toHaveLength(3);
    expect(call.parentSpanContext?.spanId).toBe(caller.spanContext().spanId);
    expect(call.spanContext().traceId).toBe(caller.spanContext().traceId);
    expect(call.kind).toBe(SpanKind.INTERNAL);
    expect(call.status.code).toBe(SpanStatusCode.UNSET);
    // The call and its only attempt share every GenAI and key attribute; each is checked, then what differs.
    const shared = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'deepseek',
      'gen_ai.request.model': 'deepseek-v4-flash',
      'gen_ai.request.stream': false,
      'gen_ai.request.max_tokens': 256,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.response.id': 'cmpl-9',
      'gen_ai.response.model': 'deepseek-v4-flash-0425',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 10,
      'gen_ai.usage.output_tokens': 5,
      'gen_ai.usage.cache_read.input_tokens': 4,
      'gen_ai.usage.reasoning.output_tokens': 2,
      'server.address': 'api.deepseek.com',
      'server.port': 443,
      'deepseek_pool.key.id': 'a',
      'deepseek_pool.account': 'acct-1',
    };
    expect(call.attributes).toEqual({ ...shared, 'deepseek_pool.attempts': 1 });
    expect(attempt.name).toBe('chat deepseek-v4-flash');
    expect(attempt.kind).toBe(SpanKind.CLIENT);
    expect(attempt.attributes).toEqual({ ...shared, 'deepseek_pool.attempt': 1, 'deepseek_pool.outcome': 'success' });
    const { traceId, spanId } = attempt.spanContext();
    expect(transport.calls[0].headers.traceparent).toBe(`00-${traceId}-${spanId}-01`);
  });

  it('an SDK whose tracer throws: the call rejects with its error, it never throws at the caller', async () => {
    // Arrange
    const broken = new Error('tracer exploded');
    const tracer = {
      startSpan: () => {
        throw broken;
      },
    };
    await start({}, { tracerProvider: { getTracer: () => tracer } as unknown as otelApi.TracerProvider });

    // Act
    let calling: Promise<unknown> | undefined;
    const thrown = (() => {
      try {
        calling = pool.chat(request);
        return undefined;
      } catch (error) {
        return error;
      }
    })();

    // Assert
    expect(thrown).toBeUndefined();
    await expect(calling).rejects.toBe(broken);
    expect(transport.calls).toHaveLength(0);
  });

  it('failover over 3 keys: sibling attempt spans, the failed ones with error.type, the action and the cooldown', async () => {
    transport.script(A, {
      status: 429,
      headers: { 'retry-after': '7' },
      body: deepseekError('Rate limit reached', 'rate_limit_error'),
    });
    transport.script(B, { status: 500, body: deepseekError('Internal error', 'server_error') });
    transport.script(C, { status: 200, body: completion(ANSWER) });
    await start();
    await expect(pool.chat(request)).resolves.toMatchObject({ meta: { keyId: 'c', attempts: 3 } });

    const call = otel.call('chat deepseek-v4-flash');
    expect(otel.spans).toHaveLength(4);
    const attempts = otel
      .childrenOf(call)
      .sort((x, y) => Number(x.attributes['deepseek_pool.attempt']) - Number(y.attributes['deepseek_pool.attempt']));
    expect(attempts.map((span) => span.attributes['deepseek_pool.key.id'])).toEqual(['a', 'b', 'c']);
    expect(attempts.map((span) => span.attributes['deepseek_pool.attempt'])).toEqual([1, 2, 3]);
    const [limited, broken, served] = attempts;
    expect(limited.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: expect.stringContaining('Rate limit reached'),
    });
    expect(limited.attributes['error.type']).toBe('rate_limited');
    expect(limited.attributes['http.response.status_code']).toBe(429);
    expect(limited.attributes['deepseek_pool.outcome']).toBe('http');
    expect(limited.attributes['deepseek_pool.action']).toBe('cooldown');
    expect(limited.attributes['deepseek_pool.cooldown']).toBeGreaterThanOrEqual(7);
    expect(broken.attributes['error.type']).toBe('upstream_error');
    expect(broken.attributes['http.response.status_code']).toBe(500);
    expect(broken.attributes['deepseek_pool.action']).toBe('breaker-failure');
    expect(broken.attributes['deepseek_pool.cooldown']).toBeUndefined();
    expect(broken.attributes['server.address']).toBe('10.0.0.2');
    expect(broken.attributes['server.port']).toBe(8080);
    expect(served.status.code).toBe(SpanStatusCode.UNSET);
    expect(served.attributes['error.type']).toBeUndefined();
    expect(served.attributes['gen_ai.provider.name']).toBe('example-reseller');
    expect(call.attributes).toMatchObject({
      'deepseek_pool.attempts': 3,
      'deepseek_pool.key.id': 'c',
      'gen_ai.provider.name': 'example-reseller',
      'server.address': 'eu.example.com',
    });
    expect(call.attributes['error.type']).toBeUndefined();
    const traceparents = transport.calls.map((sent) => sent.headers.traceparent);
    expect(traceparents).toEqual(
      attempts.map((span) => `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`),
    );
  });

  it('stream: the attempt span lasts until the stream ends and both spans carry the time to first content', async () => {
    transport.script(
      A,
      sseReply([ROLE, { waitMs: 300 }, chunkEvent({ content: ANSWER }), { waitMs: 200 }, finalEvent(), DONE]),
    );
    await start({ keys: [keys[0]] });
    const chunks: ChatCompletionChunk[] = [];
    const reading = (async () => {
      for await (const chunk of pool.stream(request)) chunks.push(chunk);
    })();
    await jest.advanceTimersByTimeAsync(1_000);
    await reading;
    await jest.advanceTimersByTimeAsync(0);

    const call = otel.call('chat deepseek-v4-flash');
    const [attempt] = otel.childrenOf(call);
    expect(call.attributes['gen_ai.request.stream']).toBe(true);
    expect(attempt.attributes['gen_ai.response.time_to_first_chunk']).toBe(0.3);
    expect(call.attributes['gen_ai.response.time_to_first_chunk']).toBe(0.3);
    expect(attempt.attributes).toMatchObject({
      'gen_ai.response.id': 's1',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 5,
      'gen_ai.usage.output_tokens': 3,
    });
    expect(call.attributes).toMatchObject({
      'gen_ai.response.id': 's1',
      'gen_ai.usage.output_tokens': 3,
      'deepseek_pool.attempts': 1,
    });
    expect(attempt.endTime).toEqual(call.endTime);
    expect(spanMs(call)).toBe(500);
    const firstChunk = await otel.points('gen_ai.client.operation.time_to_first_chunk');
    expect(firstChunk).toHaveLength(1);
    expect(firstChunk[0].value).toMatchObject({ count: 1, sum: 0.3 });
  });

  it('stream cut after content: the serving attempt fails and the call ends with error.type stream_interrupted', async () => {
    transport.script(A, sseReply([ROLE, chunkEvent({ content: 'partial' })]));
    await start({ keys: [keys[0]] });
    const reading = (async () => {
      for await (const _chunk of pool.stream(request));
    })();
    await expect(reading).rejects.toThrow(/broke after content/);
    await jest.advanceTimersByTimeAsync(0);
    const call = otel.call('chat deepseek-v4-flash');
    const [attempt] = otel.childrenOf(call);
    expect(attempt.attributes['error.type']).toBe('protocol_error');
    expect(call.attributes['error.type']).toBe('stream_interrupted');
    expect(call.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('continued stream: the continuation is a sibling attempt marked continued, the call ends served with the spliced usage', async () => {
    const cutAfterHel = [
      ROLE,
      chunkEvent({ content: 'Hel' }),
      'data: {"id":"s1","choices":[{"delta":{"content":"never',
    ];
    const rest = [
      ROLE.replace('"s1"', '"s2"'),
      chunkEvent({ content: 'lo' }, { id: 's2' }),
      finalEvent({
        prompt_tokens: 6,
        completion_tokens: 1,
        total_tokens: 7,
        prompt_cache_hit_tokens: 0,
        prompt_cache_miss_tokens: 6,
      }).replace('"s1"', '"s2"'),
      DONE,
    ];
    transport.script(A, sseReply(cutAfterHel)).script(B, sseReply(rest));
    await start({
      keys: [
        { id: 'a', apiKey: A },
        { id: 'b', apiKey: B },
      ],
    });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of pool.stream(request)) chunks.push(chunk);
    await jest.advanceTimersByTimeAsync(0);

    const call = otel.call('chat deepseek-v4-flash');
    const [broken, continued] = otel
      .childrenOf(call)
      .sort((x, y) => Number(x.attributes['deepseek_pool.attempt']) - Number(y.attributes['deepseek_pool.attempt']));
    expect([
      broken.attributes['deepseek_pool.key.id'],
      broken.attributes['error.type'],
      broken.attributes['deepseek_pool.continued'],
    ]).toEqual(['a', 'protocol_error', undefined]);
    expect([
      continued.attributes['deepseek_pool.key.id'],
      continued.attributes['deepseek_pool.outcome'],
      continued.attributes['deepseek_pool.continued'],
    ]).toEqual(['b', 'success', true]);
    expect(continued.attributes['deepseek_pool.attempt']).toBe(2);
    expect(call.status.code).toBe(SpanStatusCode.UNSET);
    expect(call.attributes).toMatchObject({
      'deepseek_pool.key.id': 'b',
      'deepseek_pool.attempts': 2,
      'gen_ai.response.id': 's1',
      'gen_ai.usage.output_tokens': chunks.at(-1)?.usage?.completion_tokens,
    });
    expect(transport.calls[1].headers.traceparent).toBe(
      `00-${continued.spanContext().traceId}-${continued.spanContext().spanId}-01`,
    );
  });

  it('stream the caller leaves early: the call span ends without error when it stops reading, the attempt as aborted', async () => {
    transport.script(A, sseReply([ROLE, chunkEvent({ content: 'first' }), 'hang']));
    await start({ keys: [keys[0]] });
    for await (const _chunk of pool.stream(request)) break;
    await jest.advanceTimersByTimeAsync(0);
    const call = otel.call('chat deepseek-v4-flash');
    const [attempt] = otel.childrenOf(call);
    expect(call.status.code).toBe(SpanStatusCode.UNSET);
    expect(call.attributes['error.type']).toBeUndefined();
    expect(attempt.attributes['deepseek_pool.outcome']).toBe('aborted');
    expect(attempt.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('degraded answer: the degradable call span holds the tier and the pool calls it made beneath it', async () => {
    const PRO = { id: 'pro', apiKey: A, models: ['deepseek-v4-pro'] };
    const FLASH = { id: 'flash', apiKey: B, models: ['deepseek-v4-flash'] };
    transport.script(A, { status: 503, body: deepseekError('Service Unavailable', 'server_error') });
    transport.script(B, { status: 200, body: completion('lighter answer', { model: 'deepseek-v4-flash' }) });
    await start({ keys: [PRO, FLASH], retry: { maxWaitForKeyMs: 0, maxAttempts: 1 } });
    const options = resolveDegradationOptions(
      { logger: false, breaker: { minimumVolume: 100 }, tiers: ['model', 'fallback'] },
      { clock: { now: () => Date.now() } },
    );
    pool = new DeepSeekPoolService(core, new DeepSeekDegradationService(options, createCache(), core));

    await expect(pool.chat({ ...request, model: 'deepseek-v4-pro' }, { degrade: true })).resolves.toMatchObject({
      meta: { degraded: 'model' },
    });

    const call = otel.call('chat deepseek-v4-pro');
    const lighter = otel.call('chat deepseek-v4-flash');
    expect(otel.spans.filter((span) => span.kind === SpanKind.INTERNAL)).toHaveLength(2);
    expect(call.attributes).toMatchObject({
      'deepseek_pool.degraded': 'model',
      'gen_ai.response.model': 'deepseek-v4-flash',
      'deepseek_pool.attempts': 2,
    });
    expect(call.attributes['error.type']).toBeUndefined();
    expect(call.status.code).toBe(SpanStatusCode.UNSET);
    expect(lighter.parentSpanContext?.spanId).toBe(call.spanContext().spanId);
    const [lighterCall, fresh] = otel.childrenOf(call).sort((x, y) => x.kind - y.kind);
    expect([fresh.kind, fresh.attributes['error.type'], fresh.attributes['deepseek_pool.key.id']]).toEqual([
      SpanKind.CLIENT,
      'upstream_error',
      'pro',
    ]);
    expect(lighterCall).toBe(lighter);
    expect(otel.childrenOf(lighter).map((span) => span.attributes['deepseek_pool.outcome'])).toEqual(['success']);
    const tokens = await otel.points('gen_ai.client.token.usage');
    expect(
      tokens.map((point) => [
        point.attributes['gen_ai.request.model'],
        point.attributes['gen_ai.token.type'],
        (point.value as { count: number }).count,
      ]),
    ).toEqual([
      ['deepseek-v4-flash', 'input', 1],
      ['deepseek-v4-flash', 'output', 1],
    ]);
  });

  it('no key: the call span fails with error.type no_available_key and has no attempt', async () => {
    await start({ keys: [keys[0]] });
    admin.disableKey('a');
    await expect(pool.chat(request)).rejects.toThrow(NoAvailableKeyError);
    const call = otel.call('chat deepseek-v4-flash');
    expect(otel.spans).toHaveLength(1);
    expect(call.status.code).toBe(SpanStatusCode.ERROR);
    expect(call.attributes['error.type']).toBe('no_available_key');
    expect(call.attributes['deepseek_pool.attempts']).toBeUndefined();
    const durations = await otel.points('gen_ai.client.operation.duration');
    expect(durations.map((point) => point.attributes)).toEqual([
      {
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'deepseek-v4-flash',
        'gen_ai.provider.name': 'deepseek',
        'error.type': 'no_available_key',
      },
    ]);
  });

  it('exports no secret and no message content by default (every attribute of every span scanned)', async () => {
    // The upstream echoes its own key and (a misconfigured proxy) another one of the pool's keys.
    transport.script(A, {
      status: 401,
      body: deepseekError(
        `Authentication Fails, Your api key: ${A} is invalid (forwarded ${B})`,
        'authentication_error',
      ),
    });
    transport.script(B, sseReply([ROLE, chunkEvent({ content: ANSWER }), finalEvent(), DONE]));
    await start({ keys: keys.slice(0, 2) });
    for await (const _chunk of pool.stream({ ...request, messages: [{ role: 'user', content: `${PROMPT} ${C}` }] }));
    transport.script(B, { status: 200, body: completion(ANSWER) });
    await pool.chat(request);

    const text = allAttributeText(otel.spans);
    expect(otel.spans.length).toBeGreaterThanOrEqual(4);
    expect(text).toContain('error.type="revoked"');
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    expect(text).not.toContain(PROMPT);
    expect(text).not.toContain(ANSWER);
    expect(text).not.toContain('gen_ai.input.messages');
  });

  it('captures message content only when asked, redacted of every key', async () => {
    transport.script(A, { status: 200, body: completion(`${ANSWER} ${B}`) });
    await start({}, { captureContent: true });
    await pool.chat({
      ...request,
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: `${PROMPT} ${C}` },
      ],
    });

    const call = otel.call('chat deepseek-v4-flash');
    expect(JSON.parse(String(call.attributes['gen_ai.input.messages']))).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'be brief' }] },
      { role: 'user', parts: [{ type: 'text', content: `${PROMPT} sk-...cc03` }] },
    ]);
    expect(JSON.parse(String(call.attributes['gen_ai.output.messages']))).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: `${ANSWER} sk-...bb02` }], finish_reason: 'stop' },
    ]);
    const text = allAttributeText(otel.spans);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });

  it('captures a streamed answer assembled from its deltas', async () => {
    transport.script(
      A,
      sseReply([
        ROLE,
        chunkEvent({ reasoning_content: 'hmm' }),
        chunkEvent({ content: 'Hel' }),
        chunkEvent({ content: 'lo' }),
        finalEvent(),
        DONE,
      ]),
    );
    await start({ keys: [keys[0]] }, { captureContent: true });
    for await (const _chunk of pool.stream(request));
    await jest.advanceTimersByTimeAsync(0);
    const call = otel.call('chat deepseek-v4-flash');
    expect(JSON.parse(String(call.attributes['gen_ai.output.messages']))).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'reasoning', content: 'hmm' },
          { type: 'text', content: 'Hello' },
        ],
        finish_reason: 'stop',
      },
    ]);
  });

  it('sends no traceparent to a key with traceContext: false, nor to any key when the pool turns it off', async () => {
    transport.script(A, { status: 200, body: completion() });
    await start({ keys: [{ ...keys[0], traceContext: false }] });
    await pool.chat(request);
    expect(transport.calls[0].headers).not.toHaveProperty('traceparent');
    await core.close();

    await start({ keys: [keys[0]] }, { traceContext: false });
    await pool.chat(request);
    expect(transport.calls[1].headers).not.toHaveProperty('traceparent');
    expect(otel.spans.filter((span) => span.kind === SpanKind.CLIENT)).toHaveLength(2);
  });

  it('records the GenAI duration and token histograms and the pool gauges through the OTel API', async () => {
    transport.script(A, { status: 200, body: completion() });
    await start();
    await pool.chat(request);
    admin.disableKey('b');

    const [duration] = await otel.points('gen_ai.client.operation.duration');
    expect((await otel.metric('gen_ai.client.operation.duration'))?.descriptor.unit).toBe('s');
    expect(duration.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'deepseek-v4-flash',
      'gen_ai.provider.name': 'deepseek',
      'gen_ai.response.model': 'deepseek-v4-flash',
      'server.address': 'api.deepseek.com',
      'server.port': 443,
    });
    const tokens = await otel.points('gen_ai.client.token.usage');
    expect((await otel.metric('gen_ai.client.token.usage'))?.descriptor.unit).toBe('{token}');
    expect(
      tokens.map((point) => [point.attributes['gen_ai.token.type'], (point.value as { sum: number }).sum]),
    ).toEqual([
      ['input', 10],
      ['output', 5],
    ]);
    const states = await otel.points('deepseek_pool.keys');
    expect(
      Object.fromEntries(states.map((point) => [point.attributes['deepseek_pool.key.state'], point.value])),
    ).toEqual({ ready: 2, disabled: 1 });
    const inFlight = await otel.points('deepseek_pool.account.in_flight');
    expect(inFlight.map((point) => [point.attributes['deepseek_pool.account'], point.value])).toEqual([
      ['acct-1', 0],
      ['acct-2', 0],
      ['acct-3', 0],
    ]);
  });

  it('with the API but no SDK registered (its no-op providers), takes the no-op path: no span, no traceparent', async () => {
    transport.script(A, { status: 200, body: completion() });
    core = createPoolCore(resolveOptions({ keys: [keys[0]], transport, logger: false }));
    pool = new DeepSeekPoolService(core);
    await core.ready;
    await expect(pool.chat(request)).resolves.toMatchObject({ meta: { keyId: 'a' } });
    expect(otel.spans).toHaveLength(0);
    expect(transport.calls[0].headers).not.toHaveProperty('traceparent');
  });

  it('with the API but no SDK registered, starts no span at all: a call costs one check', async () => {
    transport.script(A, { status: 200, body: completion() });
    core = createPoolCore(resolveOptions({ keys: [keys[0]], transport, logger: false }));
    pool = new DeepSeekPoolService(core);
    await core.ready;
    const startSpan = jest.spyOn(ProxyTracer.prototype, 'startSpan');
    await pool.chat(request);
    const started = startSpan.mock.calls.length;
    startSpan.mockRestore();
    expect(started).toBe(0);
  });

  it('starts its spans as before with an API that cannot tell whether an SDK is registered (no ProxyTracerProvider)', () => {
    const api = { ...otelApi, ProxyTracerProvider: undefined } as unknown as OtelApiModule;
    const options = resolveTelemetryOptions({});
    if (options === false) throw new Error('telemetry resolved off');
    const telemetry = new PoolTelemetry(api, options, {
      clock: { now: () => Date.now() },
      redact: (text) => text,
      cooldownEnd: () => 0,
      snapshot: () => {
        throw new Error('no gauge is read here');
      },
    });
    const startSpan = jest.spyOn(ProxyTracer.prototype, 'startSpan');
    telemetry.call(request, false);
    const started = startSpan.mock.calls.length;
    startSpan.mockRestore();
    telemetry.close();
    expect(started).toBe(1);
  });

  it('traces through the global provider once an SDK registers it, after the pool started', async () => {
    transport.script(A, { status: 200, body: completion() }, { status: 200, body: completion() });
    core = createPoolCore(resolveOptions({ keys: [keys[0]], transport, logger: false }));
    pool = new DeepSeekPoolService(core);
    await core.ready;
    await pool.chat(request);
    const before = otel.spans.length;
    trace.setGlobalTracerProvider(otel.tracerProvider);
    try {
      await pool.chat(request);
    } finally {
      trace.disable();
    }
    expect(before).toBe(0);
    expect(otel.call('chat deepseek-v4-flash').attributes).toMatchObject({ 'gen_ai.request.model': request.model });
    expect(transport.calls[1].headers).toHaveProperty('traceparent');
  });

  it('records nothing with telemetry: false', async () => {
    transport.script(A, { status: 200, body: completion() });
    await start({}, false);
    await pool.chat(request);
    expect(otel.spans).toHaveLength(0);
    expect(transport.calls[0].headers).not.toHaveProperty('traceparent');
  });
});

function spanMs(span: { startTime: [number, number]; endTime: [number, number] }): number {
  return (span.endTime[0] - span.startTime[0]) * 1000 + (span.endTime[1] - span.startTime[1]) / 1e6;
}
