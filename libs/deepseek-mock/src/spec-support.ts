// Helpers shared by the specs (excluded from the build).
import { afterAll, afterEach } from '@jest/globals';
import { Agent, type Dispatcher, request } from 'undici';
import { DeepSeekMock } from './mock-server.js';
import type { KeyStats } from './stats.js';
import type { KeyBehaviour } from './types.js';

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

/** The JSON payloads of an SSE body's `data:` lines (`[DONE]` kept as the string). */
export function sseData(text: string): unknown[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => line.slice(6))
    .map((data) => (data === '[DONE]' ? data : JSON.parse(data)));
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
  start(behaviour: KeyBehaviour): Promise<void>;
  /** The key's counters. */
  stats(): KeyStats;
}

/** Registers the per-test lifecycle of a one-key mock for the calling spec file. */
export function singleKeyMock(key: string): SingleKeyMock {
  let mock: DeepSeekMock | undefined;
  const client = new RawClient(() => mock!.url);
  afterEach(async () => {
    await mock?.close();
  });
  afterAll(() => client.close());
  return {
    get mock() {
      return mock!;
    },
    client,
    async start(behaviour) {
      mock = new DeepSeekMock({ keys: [{ key, name: 'k', ...behaviour }] });
      await mock.start();
    },
    stats: () => mock!.stats().keys['k'],
  };
}
