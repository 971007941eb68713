import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { type Server, type ServerResponse, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { useRedisServer } from '../../../test/support/redis-server.js';
import { must } from '../../../test/support/must.js';

const root = resolve(import.meta.dirname, '../../..');

const chunk = (delta: object, finish: string | null = null): string =>
  `data: ${JSON.stringify({ id: 'drain-1', object: 'chat.completion.chunk', created: 0, model: 'deepseek-v4-flash', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

/**
 * An OpenAI-compatible upstream whose stream the test drives: the first content chunk at once, the rest (and
 * `[DONE]`) only when `finish()` is called, so no assertion depends on how fast the machine is.
 */
function gatedUpstream(): { server: Server; finish: () => void; completed: () => boolean } {
  let released = false;
  let completed = false;
  const waiting: ServerResponse[] = [];
  const release = (response: ServerResponse): void => {
    response.write(chunk({ content: 'and last' }));
    response.write(chunk({}, 'stop'));
    response.end('data: [DONE]\n\n');
    completed = true;
  };
  const server = createServer((request, response) => {
    request.resume();
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write(chunk({ role: 'assistant', content: 'first ' }));
    if (released) release(response);
    else waiting.push(response);
  });
  const finish = (): void => {
    released = true;
    for (const response of waiting.splice(0)) release(response);
  };
  return { server, finish, completed: () => completed };
}

/**
 * The compiled gateway (what the container runs) with REDIS_URL, stopped by a real SIGTERM in the middle of a stream.
 * Its one key belongs to an account with a concurrency limit, so the stream holds a lease in Redis.
 */
describe('SIGTERM drain (compiled gateway, real redis-server)', () => {
  const redis = useRedisServer();
  let client: Redis;
  let upstream: ReturnType<typeof gatedUpstream> | undefined;
  let gateway: ChildProcess | undefined;
  const started = (): { upstream: ReturnType<typeof gatedUpstream>; gateway: ChildProcess } => ({
    upstream: must(upstream, 'the upstream started by start()'),
    gateway: must(gateway, 'the gateway started by start()'),
  });
  const leases = (): Promise<number> => client.zcard('dsp:leases:acct-drain');

  beforeAll(() => {
    execFileSync('npx', ['tsc', '-b', 'libs/deepseek-pool', 'libs/deepseek-mock', 'apps/gateway'], {
      cwd: root,
      stdio: 'ignore',
    });
    client = new Redis(redis.url);
  }, 120_000);

  afterEach(async () => {
    gateway?.kill('SIGKILL');
    const current = upstream;
    if (current) {
      current.finish();
      current.server.closeAllConnections();
      await new Promise((done) => current.server.close(done));
    }
    await client.flushall();
  });

  afterAll(() => {
    client.disconnect();
  });

  /** Starts the gated upstream and the gateway in front of it. */
  async function start(drainTimeoutMs: number): Promise<{ url: string; output: { text: string } }> {
    const { server } = (upstream = gatedUpstream());
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const dir = mkdtempSync(join(tmpdir(), 'gateway-drain-'));
    const config = join(dir, 'gateway.json');
    writeFileSync(
      config,
      JSON.stringify({
        keys: [{ id: 'streamer', apiKey: 'sk-drain-streamer-01', baseUrl, account: 'acct-drain' }],
        accounts: { 'acct-drain': { maxConcurrency: 4 } },
        health: { validateOnStart: false, probe: false },
        gateway: { allowAnonymous: true },
      }),
    );
    const env = {
      ...process.env,
      PORT: '0',
      GATEWAY_CONFIG: config,
      REDIS_URL: redis.url,
      GATEWAY_DRAIN_TIMEOUT_MS: String(drainTimeoutMs),
      DEEPSEEK_API_KEYS: '',
      GATEWAY_TOKENS: '',
      NO_COLOR: '1',
    };
    gateway = spawn(process.execPath, ['apps/gateway/dist/main.js'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = { text: '' };
    gateway.stdout?.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
    gateway.stderr?.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
    const url = await waitFor(
      () => /Gateway listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output.text)?.[1],
      () => `no listening line in:\n${output.text}`,
    );
    return { url, output };
  }

  /** Opens a stream and resolves once its first bytes arrived; `rest` reads it to the end (or to the cut). */
  async function openStream(url: string): Promise<{ first: string; rest: Promise<{ text: string; cut: boolean }> }> {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'deepseek-v4-flash',
        stream: true,
        messages: [{ role: 'user', content: 'Count slowly' }],
      }),
    });
    expect(response.status).toBe(200);
    // a fetch body is a stream of bytes
    const reader = (must(response.body, 'the response body') as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    const first = decoder.decode((await reader.read()).value);
    const rest = (async () => {
      let text = first;
      try {
        for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
          text += decoder.decode(chunk.value);
        return { text, cut: false };
      } catch {
        return { text, cut: true };
      }
    })();
    return { first, rest };
  }

  const exited = (): Promise<number | null> => {
    const child = started().gateway;
    return new Promise((done) => (child.exitCode !== null ? done(child.exitCode) : child.once('exit', done)));
  };

  it('finishes the stream in flight, refuses new connections meanwhile, hands the account slot back and exits 0', async () => {
    const { url, output } = await start(20_000);
    const stream = await openStream(url);
    await waitFor(
      async () => (await leases()) === 1,
      async () => `the stream holds ${await leases()} lease(s) in Redis, expected 1`,
    );

    started().gateway.kill('SIGTERM');
    await waitFor(
      () =>
        fetch(`${url}/health/live`).then(
          () => false,
          () => true,
        ),
      () => 'the gateway still accepted connections after SIGTERM',
    );
    expect(started().gateway.exitCode).toBeNull();
    expect(await leases()).toBe(1);

    started().upstream.finish();
    const { text, cut } = await stream.rest;
    expect(cut).toBe(false);
    expect(text).toContain('and last');
    expect(text).toContain('"finish_reason":"stop"');
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(await exited()).toBe(0);
    expect(await leases()).toBe(0);
    expect(output.text).toMatch(/SIGTERM: draining 1 request\(s\) in flight/);
  }, 30_000);

  it('past GATEWAY_DRAIN_TIMEOUT_MS closes what is left and still hands the slot back at once (not after the 30 s lease)', async () => {
    const { url, output } = await start(300);
    const stream = await openStream(url);
    await waitFor(
      async () => (await leases()) === 1,
      async () => `the stream holds ${await leases()} lease(s) in Redis, expected 1`,
    );

    started().gateway.kill('SIGTERM');
    expect(await exited()).toBe(0);
    const { text } = await stream.rest;
    expect(text).not.toContain('data: [DONE]');
    expect(started().upstream.completed()).toBe(false);
    expect(await leases()).toBe(0);
    expect(output.text).toMatch(/Drain timeout: closing 1 request\(s\) still in flight/);
  }, 30_000);
});

/**
 * Polls `probe` every 25 ms until it returns a truthy value; fails with `explain()` after `timeoutMs` (a bound, not a
 * speed assumption).
 */
async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  explain: () => string | Promise<string>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(await explain());
    await new Promise((done) => setTimeout(done, 25));
  }
}
