import type { LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DeepSeekPoolAdmin, DeepSeekPoolModule, DeepSeekPoolService } from 'nestjs-deepseek-pool';
import { DeepSeekMock, type MockScenario, mulberry32 } from 'nestjs-deepseek-pool-mock';
import { leakedRuns } from '../libs/deepseek-pool/src/redaction/secret-echoes.fixture.js';

/** Every failure mode a key can show, each on a key whose secret must never leave the pool. */
const cast: MockScenario = {
  accounts: { broke: { balance: 0 } },
  keys: [
    { key: 'sk-secret-revoked-1111111111', name: 'revoked', status: 401 },
    { key: 'sk-secret-empty-22222222222', name: 'empty', account: 'broke' },
    { key: 'sk-secret-limited-333333333', name: 'limited', status: 429, retryAfterSeconds: 1 },
    { key: 'sk-secret-broken-4444444444', name: 'broken', status: 500 },
    { key: 'sk-secret-reset-55555555555', name: 'reset', reset: true },
    { key: 'sk-secret-blank-66666666666', name: 'blank', blankBody: true },
    { key: 'sk-secret-hung-777777777777', name: 'hung', hang: true },
    { key: 'sk-secret-cut-8888888888888', name: 'cut', cutAfterChunks: 1 },
    // Upstreams that echo the key (cut by a truncation, near-copied, URL-encoded, quoted as a malformed body, in an SSE
    // error event).
    {
      key: 'sk-secret-echo-text-9999999999',
      name: 'echo-text',
      echoKey: { status: 500, body: 'text', paddingChars: 150 },
    },
    { key: 'sk-secret-echo-near-aaaaaaaaaa', name: 'echo-near', echoKey: { status: 400, form: 'near' } },
    { key: 'sk-secret-echo-url-bbbbbbbbbbb', name: 'echo-url', echoKey: { status: 500, form: 'url-encoded' } },
    { key: 'sk-secret-echo-200-cccccccccc', name: 'echo-200', echoKey: { status: 200 } },
    { key: 'sk-secret-echo-event-ddddddddd', name: 'echo-event', echoKeyEvent: { afterChunks: 1 } },
    {
      key: 'sk-secret-echo-early-eeeeeeeee',
      name: 'echo-early',
      echoKeyEvent: { afterChunks: 0, form: 'json-escaped' },
    },
  ],
};
const secrets = cast.keys.map((k) => k.key);

class Capture implements LoggerService {
  readonly lines: string[] = [];
  log = (...args: unknown[]) => void this.lines.push(JSON.stringify(args));
  error = this.log;
  warn = this.log;
  debug = this.log;
  verbose = this.log;
}

describe('no secret leaves the pool', () => {
  it('never puts 12 characters of a key in an error, a stream, a log line, an event, a snapshot or an export', async () => {
    const mock = new DeepSeekMock(cast);
    const { url } = await mock.start();
    const logger = new Capture();
    const moduleRef = await Test.createTestingModule({
      imports: [
        DeepSeekPoolModule.forRoot({
          keys: cast.keys.map((k) => ({
            id: k.name,
            apiKey: k.key,
            baseUrl: url,
            ...(k.account ? { account: k.account } : {}),
          })),
          strategy: 'round-robin',
          retry: { maxAttempts: 8, maxWaitForKeyMs: 0, budget: { minRetriesPerSecond: 1000 } },
          timeouts: { firstByteMs: 300, attemptMs: 500, firstContentMs: 300, idleMs: 300 },
          breaker: { volumeThreshold: 1 },
          logger,
          rng: mulberry32(5),
        }),
      ],
    }).compile();
    const pool = moduleRef.get(DeepSeekPoolService);
    const seen: string[] = [];
    pool.events.on('key.disabled', (e) => seen.push(JSON.stringify(e)));
    pool.events.on('key.cooldown', (e) => seen.push(JSON.stringify(e)));
    pool.events.on('retry', (e) => seen.push(JSON.stringify(e)));
    const request = { model: 'deepseek-v4-flash', messages: [{ role: 'user', content: 'hello' }] };

    for (let i = 0; i < cast.keys.length; i++) {
      await pool.chat(request).catch((error: unknown) => seen.push(describeError(error)));
      try {
        for await (const chunk of pool.stream({ ...request, stream: true })) seen.push(JSON.stringify(chunk));
      } catch (error) {
        seen.push(describeError(error));
      }
    }
    seen.push(
      JSON.stringify(pool.snapshot()),
      JSON.stringify(moduleRef.get(DeepSeekPoolAdmin).exportKeys()),
      ...logger.lines,
    );
    await moduleRef.close();
    await mock.close();

    expect(seen.length).toBeGreaterThan(20);
    expect(seen.join('\n')).toMatch(/sk-\.\.\.\w{4}/);
    expect(seen.join('\n')).toContain('quota exceeded for api key');
    for (const secret of secrets) expect(leakedRuns(seen.join('\n'), secret)).toEqual([]);
  });
});

function describeError(error: unknown): string {
  return `${String(error)} ${(error as Error).stack ?? ''} ${JSON.stringify(error)} ${JSON.stringify((error as { body?: unknown }).body ?? null)}`;
}
