import { createDeepSeekPool } from '../create-deepseek-pool.js';
import { jest } from '@jest/globals';
import { lastValueFrom, toArray } from 'rxjs';
import type { ChatCompletionChunk } from '../chat.types.js';
import { mulberry32 } from 'nestjs-deepseek-pool-mock';
import { NoAvailableKeyError, RequestAbortedError, StreamInterruptedError } from '../deepseek-pool.errors.js';
import type { DeepSeekPoolOptions } from '../deepseek-pool.options.js';
import { DeepSeekPoolService } from '../deepseek-pool.service.js';
import { ScriptedTransport, deepseekError } from '../testing/scripted-transport.js';
import { DONE, KEEP_ALIVE, ROLE, chunkEvent, finalEvent, sseReply } from './sse-reply.fixture.js';

const A = 'sk-streamkeyaaaaaaaaa01';
const B = 'sk-streamkeybbbbbbbbb02';
const request = { model: 'deepseek-v4-flash', messages: [{ role: 'user', content: 'hi' }], stream: true };
const happy = [ROLE, chunkEvent({ content: 'Hel' }), KEEP_ALIVE, chunkEvent({ content: 'lo' }), finalEvent(), DONE];

async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

const text = (chunks: ChatCompletionChunk[]) => chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');

describe('DeepSeekPoolService.stream (scripted upstream, fake timers)', () => {
  let transport: ScriptedTransport;
  let pool: DeepSeekPoolService;
  let close: () => Promise<void>;

  function start(options: Partial<DeepSeekPoolOptions> = {}) {
    ({ pool, close } = createDeepSeekPool({
      keys: [
        { id: 'a', apiKey: A },
        { id: 'b', apiKey: B },
      ],
      strategy: 'round-robin',
      transport,
      logger: false,
      rng: mulberry32(3),
      timeouts: { firstContentMs: 5_000, idleMs: 2_000 },
      ...options,
    }));
  }

  beforeEach(() => {
    jest.useFakeTimers();
    transport = new ScriptedTransport();
  });

  afterEach(async () => {
    await close();
    jest.useRealTimers();
  });

  it('passes the upstream chunks through unchanged, keep-alives dropped, usage on the final chunk', async () => {
    transport.script(A, sseReply(happy));
    start();
    const stream = pool.stream(request);
    const chunks = await collect(stream);
    expect(text(chunks)).toBe('Hello');
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    expect(chunks.at(-1)).toMatchObject({ choices: [{ finish_reason: 'stop' }], usage: { total_tokens: 8 } });
    await expect(stream.meta).resolves.toMatchObject({ keyId: 'a', attempts: 1 });
    expect(pool.snapshot().keys[0].tokens).toMatchObject({ prompt: 5, completion: 3 });
  });

  it.each([
    ['a 429', { status: 429, body: deepseekError('Rate Limit Reached') }],
    ['a 503', { status: 503, body: deepseekError('Server Overloaded') }],
    ['a connection reset', { networkError: 'ECONNRESET' }],
    ['a cut before the first content', sseReply([ROLE])],
  ])('fails over to another key on %s before the first token', async (_name, reply) => {
    transport.script(A, reply);
    transport.script(B, sseReply(happy));
    start();
    const stream = pool.stream(request);
    expect(text(await collect(stream))).toBe('Hello');
    await expect(stream.meta).resolves.toMatchObject({ keyId: 'b', attempts: 2 });
  });

  it('times out a stream that only sends keep-alives, without the comments resetting the timer, and fails over', async () => {
    const keepAlives = Array.from({ length: 20 }, () => [KEEP_ALIVE, { waitMs: 1_000 }]).flat();
    transport.script(A, sseReply([ROLE, ...keepAlives]));
    transport.script(B, sseReply(happy));
    start();
    const stream = pool.stream(request);
    const meta = stream.meta;
    await jest.advanceTimersByTimeAsync(5_000);
    await expect(meta).resolves.toMatchObject({
      keyId: 'b',
      trace: [
        { keyId: 'a', outcome: 'timeout' },
        { keyId: 'b', outcome: 'success' },
      ],
    });
    expect(text(await collect(stream))).toBe('Hello');
  });

  it('ends with StreamInterruptedError when the upstream cuts after content (continuation off for the call), and the key breaker counts it', async () => {
    transport.script(A, sseReply([ROLE, chunkEvent({ content: 'Hel' })]));
    start();
    const seen: ChatCompletionChunk[] = [];
    const error = await (async () => {
      for await (const chunk of pool.stream(request, { continuation: { enabled: false } })) seen.push(chunk);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamInterruptedError);
    expect(error).toMatchObject({ keyId: 'a', outcome: { kind: 'protocol' }, notContinued: 'disabled' });
    expect(transport.callsTo(B)).toBe(0);
    expect(text(seen)).toBe('Hel');
    await jest.advanceTimersByTimeAsync(0);
    expect(pool.snapshot().keys[0]).toMatchObject({ errorRate: 1, windowCalls: 1, inFlight: 0 });
  });

  it('ends with StreamInterruptedError when the upstream stalls past idleTimeoutMs after content (continuation off for the pool)', async () => {
    transport.script(A, sseReply([ROLE, chunkEvent({ content: 'Hel' }), 'hang']));
    start({ continuation: { enabled: false } });
    const iterator = pool.stream(request)[Symbol.asyncIterator]();
    await iterator.next();
    await iterator.next();
    const failure = iterator.next().catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(2_000);
    await expect(failure).resolves.toMatchObject({
      name: 'StreamInterruptedError',
      outcome: { kind: 'timeout', phase: 'idle' },
      notContinued: 'disabled',
    });
  });

  it('aborts the upstream request and frees the key when the consumer stops reading', async () => {
    const seen = { aborted: false };
    transport.script(A, sseReply([ROLE, chunkEvent({ content: 'Hel' }), 'hang'], seen));
    start();
    for await (const chunk of pool.stream(request)) if (carries(chunk)) break;
    await jest.advanceTimersByTimeAsync(0);
    expect(seen.aborted).toBe(true);
    expect(pool.snapshot().keys[0]).toMatchObject({ inFlight: 0, errorRate: 0 });
  });

  it('aborts the upstream request when the caller signal aborts mid-stream', async () => {
    const seen = { aborted: false };
    transport.script(A, sseReply([ROLE, chunkEvent({ content: 'Hel' }), 'hang'], seen));
    start();
    const controller = new AbortController();
    const iterator = pool.stream(request, { signal: controller.signal })[Symbol.asyncIterator]();
    await iterator.next();
    await iterator.next();
    const pending = iterator.next().catch((e: unknown) => e);
    controller.abort();
    await expect(pending).resolves.toBeInstanceOf(RequestAbortedError);
    await jest.advanceTimersByTimeAsync(0);
    expect(seen.aborted).toBe(true);
    expect(pool.snapshot().keys[0]).toMatchObject({ inFlight: 0, errorRate: 0 });
  });

  it('unsubscribing from the Observable cancels the upstream request and does not count against the key', async () => {
    const seen = { aborted: false };
    transport.script(A, sseReply([ROLE, chunkEvent({ content: 'Hel' }), 'hang'], seen));
    start();
    const subscription = pool.stream(request).toObservable().subscribe();
    await jest.advanceTimersByTimeAsync(0);
    subscription.unsubscribe();
    await jest.advanceTimersByTimeAsync(0);
    expect(seen.aborted).toBe(true);
    expect(pool.snapshot().keys[0]).toMatchObject({ state: 'ready', breaker: 'closed', inFlight: 0, errorRate: 0 });
  });

  it('emits the same chunks through toObservable()', async () => {
    transport.script(A, sseReply(happy));
    start();
    const chunks = await lastValueFrom(pool.stream(request).toObservable().pipe(toArray()));
    expect(text(chunks)).toBe('Hello');
  });

  it('rejects like chat() when no key can start the stream', async () => {
    transport.script(A, { status: 429, body: deepseekError('Rate Limit Reached') });
    transport.script(B, { status: 429, body: deepseekError('Rate Limit Reached') });
    start({ retry: { maxWaitForKeyMs: 0 } });
    await expect(collect(pool.stream(request))).rejects.toBeInstanceOf(NoAvailableKeyError);
  });

  it('holds the key busy until the stream ends, not just until the first token', async () => {
    transport.script(A, sseReply([ROLE, chunkEvent({ content: 'Hel' }), { waitMs: 1_000 }, finalEvent(), DONE]));
    start();
    const iterator = pool.stream(request)[Symbol.asyncIterator]();
    await iterator.next();
    expect(pool.snapshot().keys[0].inFlight).toBe(1);
    await jest.advanceTimersByTimeAsync(1_000);
    while (!(await iterator.next()).done);
    expect(pool.snapshot().keys[0].inFlight).toBe(0);
  });
});

function carries(chunk: ChatCompletionChunk): boolean {
  return (chunk.choices[0]?.delta.content ?? '') !== '';
}
