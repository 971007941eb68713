import fc from 'fast-check';
import {
  type ChatCompletionChunk,
  type ChatCompletionRequest,
  type DeepSeekPool,
  type KeyOptions,
  type Transport,
  type TransportRequest,
  UndiciTransport,
  createDeepSeekPool,
} from 'nestjs-deepseek-pool';
import { DeepSeekMock } from 'nestjs-deepseek-pool-mock';
import { request as undiciRequest } from 'undici';
import { must } from '../support/must.js';

// Stream continuation over real HTTP against the mock: a stream cut after content goes on from another key with
// chat prefix completion (DeepSeek, on /beta) or continue_final_message (vLLM), and the caller sees the reference text.

const QUESTION = 'Tell me about continuation';
const FIRST = 'sk-cont-first-000000001';
const SECOND = 'sk-cont-second-00000002';
const VLLM = 'sk-cont-vllm-0000000003';
const DONE_BYTES = Buffer.byteLength('data: [DONE]\n\n');

/** Records every upstream request (base URL, path, body) on the way to the real transport. */
class RecordingTransport implements Transport {
  readonly sent: Array<{ baseUrl: string; path: string; body: ChatCompletionRequest }> = [];
  private readonly inner = new UndiciTransport();

  request(request: TransportRequest) {
    if (request.body)
      this.sent.push({
        baseUrl: request.baseUrl,
        path: request.path,
        body: JSON.parse(request.body) as ChatCompletionRequest,
      });
    return this.inner.request(request);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

interface Assembled {
  content: string;
  reasoning: string;
  chunks: ChatCompletionChunk[];
}

async function assemble(stream: AsyncIterable<ChatCompletionChunk>): Promise<Assembled> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  const textOf = (chunk: ChatCompletionChunk, field: 'content' | 'reasoning_content'): string => {
    const text = chunk.choices[0]?.delta[field];
    return typeof text === 'string' ? text : '';
  };
  const join = (field: 'content' | 'reasoning_content') => chunks.map((c) => textOf(c, field)).join('');
  return { content: join('content'), reasoning: join('reasoning_content'), chunks };
}

describe('stream continuation against the mock', () => {
  const mock = new DeepSeekMock({
    defaults: { streamChunks: 12 },
    keys: [
      { key: FIRST, name: 'first' },
      { key: SECOND, name: 'second' },
      { key: VLLM, name: 'vllm', server: 'vllm' },
    ],
  });
  let transport: RecordingTransport;

  beforeAll(() => mock.start());
  afterAll(() => mock.close());
  beforeEach(() => (transport = new RecordingTransport()));
  afterEach(() => transport.close());

  /** A pool that reaches `first` first; `rest` continue it. Keys on 127.0.0.1 continue only when told how. */
  function poolOf(rest: KeyOptions[]): DeepSeekPool {
    return createDeepSeekPool({
      keys: [{ id: 'first', apiKey: FIRST, baseUrl: mock.url, priority: 0, continuation: 'deepseek-prefix' }, ...rest],
      transport,
      logger: false,
      health: { probe: false, validateOnStart: false },
    });
  }
  const second: KeyOptions = { id: 'second', apiKey: SECOND, priority: 1, continuation: 'deepseek-prefix' };
  const request = (model = 'deepseek-chat'): ChatCompletionRequest => ({
    model,
    messages: [{ role: 'user', content: QUESTION }],
    stream: true,
  });

  it('a stream cut mid-answer arrives whole, as one stream, from prefix completion on /beta', async () => {
    const reply = 'Once upon a time, a stream broke in the middle of a word and nobody noticed anything at all.';
    mock.setKey('first', { reply, cutAfterChunks: 5 });
    mock.setKey('second', { reply });
    const { pool, close } = poolOf([{ ...second, baseUrl: mock.url }]);
    const stream = pool.stream(request());
    const { content, chunks } = await assemble(stream);
    expect(content).toBe(reply);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks.filter((c) => c.choices[0]?.finish_reason)).toHaveLength(1);
    expect(await stream.meta).toMatchObject({
      keyId: 'first',
      continuations: [{ fromKeyId: 'first', keyId: 'second' }],
    });
    await close();
  });

  it('never sends the prefix on the normal path, where DeepSeek would ignore it and repeat text', async () => {
    mock.setKey('first', { reply: 'one two three four five six seven eight', cutAfterChunks: 3 });
    mock.setKey('second', { reply: 'one two three four five six seven eight' });
    const { pool, close } = poolOf([{ ...second, baseUrl: `${mock.url}/v1` }]);
    await assemble(pool.stream(request()));
    const withPrefix = transport.sent.filter(({ body }) => body.messages.some((m) => m.prefix === true));
    expect(withPrefix).toHaveLength(1);
    for (const { baseUrl } of withPrefix) expect(baseUrl).toBe(`${mock.url}/beta`);
    for (const { baseUrl, body } of transport.sent)
      if (!baseUrl.endsWith('/beta')) expect(body.messages.at(-1)?.role).toBe('user');
    await close();
  });

  it('continues on a vLLM key with continue_final_message', async () => {
    const reply = 'A self-hosted server finishes what DeepSeek started.';
    mock.setKey('first', { reply, cutAfterChunks: 4 });
    mock.setKey('vllm', { reply });
    const { pool, close } = poolOf([
      { id: 'vllm', apiKey: VLLM, baseUrl: `${mock.url}/v1`, priority: 1, continuation: 'continue-final-message' },
    ]);
    const { content } = await assemble(pool.stream(request()));
    expect(content).toBe(reply);
    expect(transport.sent.at(-1)).toMatchObject({
      baseUrl: `${mock.url}/v1`,
      body: { continue_final_message: true, add_generation_prompt: false },
    });
    await close();
  });

  it('property: any answer, any cut point (mid-word, mid-UTF-8 character, mid-SSE line, inside reasoning): the exact reference text, usage summed', async () => {
    const pool = () => poolOf([{ ...second, baseUrl: mock.url }]);
    /** Bytes of the whole SSE body of an uncut answer, to draw the cut inside it (before `data: [DONE]`). */
    const bodyBytes = async (body: ChatCompletionRequest): Promise<number> => {
      const res = await undiciRequest(`${mock.url}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SECOND}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return (await res.body.arrayBuffer()).byteLength;
    };
    let continued = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 }),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }),
        fc.boolean(),
        fc.noBias(fc.integer({ min: 0, max: 999 })),
        async (reply, reasoning, thinking, where) => {
          const body = request(thinking ? 'deepseek-reasoner' : 'deepseek-chat');
          mock.setKey('second', { reply, reasoning });
          const atByte = Math.floor((where / 1000) * ((await bodyBytes(body)) - DONE_BYTES));
          mock.setKey('first', { reply, reasoning, cutStream: { atByte } });
          const before = mock.stats().keys['second'].tokens;
          const subject = pool();
          try {
            const stream = subject.pool.stream(body);
            const { content, reasoning: thought, chunks } = await assemble(stream);
            expect(content).toBe(reply);
            expect(thought).toBe(thinking ? reasoning : '');
            expect(new Set(chunks.map((c) => `${c.id} ${c.model} ${String(c.created)}`)).size).toBe(1);
            const meta = await stream.meta;
            const usage = must(must(chunks.at(-1), 'the last chunk').usage, 'the usage of the last chunk');
            if (!meta.continuations) return;
            continued += 1;
            // The continuation's usage as the mock billed it, plus the estimate of the cut call (4 characters a token).
            const after = mock.stats().keys['second'].tokens;
            const [{ offset, reasoningOffset }] = meta.continuations;
            const tokens = (chars: number) => Math.ceil(chars / 4);
            expect(usage.prompt_tokens).toBe(after.prompt - before.prompt + tokens(QUESTION.length));
            expect(usage.completion_tokens).toBe(
              after.completion - before.completion + tokens(offset) + tokens(reasoningOffset),
            );
            expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
          } finally {
            await subject.close();
          }
        },
      ),
      { numRuns: 60, seed: 16 },
    );
    // Cuts before the first content fail over instead (the caller has nothing yet); the rest were continued.
    expect(continued).toBeGreaterThanOrEqual(20);
  }, 60_000);
});
