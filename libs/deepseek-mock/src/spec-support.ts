// Helpers shared by the specs (excluded from the build).
import { afterAll, afterEach } from '@jest/globals';
import { Agent, type Dispatcher, request } from 'undici';
import { DeepSeekMock } from './mock-server.js';
import type { KeyStats } from './stats.js';
import type { KeyBehaviour } from './types.js';
import type { Usage } from './usage.js';
import { must } from '../../../test/support/must.js';

export { must };

export const USER_MESSAGE = 'Hello mock, please answer this question';
export const CHAT_BODY = { model: 'deepseek-chat', messages: [{ role: 'user', content: USER_MESSAGE }] };

export interface RawResponse {
  status: number;
  headers: Dispatcher.ResponseData['headers'];
  text: string;
}

/** A plain HTTP client (undici) with its own connection pool, closed by `close()`. */
export class RawClient {
  private readonly agent = new Agent();

  constructor(private readonly baseUrl: () => string) {}

  /** Sends a request and returns as soon as the status and headers arrive (the body is left to read). */
  open(
    method: string,
    path: string,
    key: string | undefined,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<Dispatcher.ResponseData> {
    return request(`${this.baseUrl()}${path}`, {
      method: method,
      dispatcher: this.agent,
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      ...(signal ? { signal } : {}),
    });
  }

  async send(
    method: string,
    path: string,
    key: string | undefined,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<RawResponse> {
    const res = await this.open(method, path, key, body, signal);
    return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
  }

  chat(key: string, body: object = CHAT_BODY, signal?: AbortSignal): Promise<RawResponse> {
    return this.send('POST', '/chat/completions', key, body, signal);
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

// The wire shapes the specs read: the mock writes them as plain objects, the specs' assertions check them.

/** A chat completion (`object: 'chat.completion'`). */
export interface CompletionJson {
  choices: {
    index: number;
    message: { role: string; content: string; reasoning_content?: string };
    finish_reason: string;
  }[];
  usage: Usage;
}

/** One streamed chunk (`object: 'chat.completion.chunk'`). */
export interface ChunkJson {
  choices: {
    index: number;
    delta: { role?: string; content?: string | null; reasoning_content?: string };
    logprobs: null;
    finish_reason: string | null;
  }[];
  usage?: Usage | null;
}

/** An error body (`{ error }`). */
export interface ErrorJson {
  error: { message: string; type: string; param: null; code: string | null };
}

/** The JSON payloads of an SSE body's `data:` lines (`[DONE]` kept as the string). */
export function sseData(text: string): unknown[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => line.slice(6))
    .map((data): unknown => (data === '[DONE]' ? data : JSON.parse(data)));
}

/** The chunks of a stream that ended with `[DONE]` (throws otherwise). */
export function sseChunks(text: string): ChunkJson[] {
  const events = sseData(text);
  if (events.at(-1) !== '[DONE]') throw new Error('the stream did not end with [DONE]');
  return events.slice(0, -1) as ChunkJson[];
}

/** Polls `condition` until it holds (server-side effects of a client action land asynchronously). */
export async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A manual clock for `now`. */
export function manualClock(start = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

/** A mock of one key (name `k`) started per test with the behaviour under test, closed after each test. */
export interface SingleKeyMock {
  readonly mock: DeepSeekMock;
  readonly client: RawClient;
  // function-valued properties, not methods: the specs destructure them (they do not use `this`)
  readonly start: (behaviour: KeyBehaviour) => Promise<void>;
  /** The key's counters. */
  readonly stats: () => KeyStats;
}

/** Registers the per-test lifecycle of a one-key mock for the calling spec file. */
export function singleKeyMock(key: string): SingleKeyMock {
  let mock: DeepSeekMock | undefined;
  const started = (): DeepSeekMock => must(mock, 'a mock started by start()');
  const client = new RawClient(() => started().url);
  afterEach(async () => {
    await mock?.close();
  });
  afterAll(() => client.close());
  return {
    get mock() {
      return started();
    },
    client,
    start: async (behaviour) => {
      mock = new DeepSeekMock({ keys: [{ key, name: 'k', ...behaviour }] });
      await mock.start();
    },
    stats: () => started().stats().keys['k'],
  };
}
