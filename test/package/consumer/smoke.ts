// Boots an app module (docs/examples/app.module.ts) against the DeepSeek mock with three keys, one of them revoked,
// over real HTTP: chat -> 200, stream -> SSE chunk events then [DONE], readiness -> 200 with the revoked key out.
// Shared by the repository's own test and by the consumer apps built from the packed tarballs
// (test/package/consumers.sh).
import * as assert from 'node:assert/strict';
import type { Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DeepSeekMock } from 'nestjs-deepseek-pool-mock';

const KEYS = {
  good1: 'sk-consumer-good-000000000001',
  good2: 'sk-consumer-good-000000000002',
  revoked: 'sk-consumer-revoked-00000003',
};
const REQUEST = { model: 'deepseek-v4-flash', messages: [{ role: 'user', content: 'Hi' }] };

/**
 * What readiness looks like: terminus 12 says `degraded`; terminus 11 (no such status) says `up` with `degraded: true`.
 */
export type ReadyAs = 'degraded' | 'up, degraded: true';

async function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** The `data:` payloads of an SSE body. */
function sseData(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice('data:'.length).trim());
}

async function checkApp(url: string): Promise<ReadyAs> {
  const chat = await post(`${url}/chat`, REQUEST);
  assert.equal(chat.status, 200, 'POST /chat');
  const completion = (await chat.json()) as { choices: { message: { content: string } }[] };
  assert.match(completion.choices[0].message.content, /^Mock answer from /);

  const stream = await post(`${url}/chat/stream`, REQUEST);
  assert.equal(stream.status, 200, 'POST /chat/stream');
  assert.match(stream.headers.get('content-type') ?? '', /^text\/event-stream/);
  const events = sseData(await stream.text());
  assert.equal(events.at(-1), '[DONE]', 'the stream ends with [DONE]');
  const chunks = events.slice(0, -1).map((data) => JSON.parse(data) as { choices: { delta: { content?: string } }[] });
  assert.ok(chunks.length >= 3, `one event per chunk (got ${chunks.length})`);
  assert.match(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join(''), /^Mock answer from /);

  const ready = await fetch(`${url}/status/ready`);
  const health = (await ready.json()) as {
    details: Record<string, { status: string; degraded?: boolean; servingKeys: number; totalKeys: number }>;
  };
  assert.equal(ready.status, 200, `GET /status/ready with one revoked key of three: ${JSON.stringify(health)}`);
  const pool = health.details['deepseek-pool'];
  assert.deepEqual([pool.servingKeys, pool.totalKeys], [2, 3]);
  if (pool.status === 'degraded') return 'degraded';
  assert.deepEqual([pool.status, pool.degraded], ['up', true]);
  return 'up, degraded: true';
}

/** Starts the mock and the app (keys and base URL from the environment, as the app reads them), checks, stops both. */
export async function smoke(appModule: Type<unknown>): Promise<ReadyAs> {
  const mock = new DeepSeekMock({
    keys: [{ key: KEYS.good1 }, { key: KEYS.good2 }, { key: KEYS.revoked, status: 401 }],
  });
  await mock.start();
  process.env.DEEPSEEK_API_KEYS = Object.values(KEYS).join(',');
  process.env.DEEPSEEK_BASE_URL = mock.url;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- Nest takes option literals
  const app = await NestFactory.create(appModule, { logger: ['error'] });
  try {
    await app.listen(0, '127.0.0.1');
    return await checkApp(await app.getUrl());
  } finally {
    await app.close();
    await mock.close();
  }
}
