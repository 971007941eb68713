import { Redis } from 'ioredis';
import { DeepSeekMock } from 'nestjs-deepseek-pool-mock';
import { useRedisServer } from '../../../test/support/redis-server.js';
import { must } from '../../../test/support/must.js';
import type { ClientRecord } from '../src/clients/client-spec.js';
import { parseConfigClients } from '../src/clients/client-spec.js';
import { GatewayConfigError } from '../src/config/gateway-config-error.js';
import { type GatewayConfig } from '../src/config/gateway-config.js';
import { createGateway } from '../src/gateway-app.js';
import { estimateCostUsd } from '../src/metrics/cost/estimate-cost.js';
import { CapturedLogs } from './support/gateway-harness.js';

const ADMIN = 'admin-token-for-client-limits';
const TOKEN = 'client-token-web-0123456789';
const ASK = { model: 'deepseek-v4-flash', messages: [{ role: 'user', content: 'Hello there' }], max_tokens: 50 };

interface Replicas {
  urls: string[];
  mock: DeepSeekMock;
  logs: CapturedLogs;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  headers: Headers;
  body: {
    usage?: { total_tokens: number; prompt_tokens: number; completion_tokens: number };
    error?: { message: string; type: string; code: string | null };
  };
}

async function call(url: string, path: string, token: string, body?: unknown, method = 'POST'): Promise<Reply> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Reply['body']) : {} };
}

const chat = (url: string, token = TOKEN, body: unknown = ASK): Promise<Reply> =>
  call(url, '/v1/chat/completions', token, body);

/** Two gateway replicas on one DeepSeek mock and one Redis, with the clients of GATEWAY_CLIENTS given. */
async function startReplicas(redisUrl: string, prefix: string, clients: unknown[]): Promise<Replicas> {
  const mock = new DeepSeekMock({ defaults: { latencyMs: 1 }, keys: [{ key: 'sk-client-limits-000001', name: 'k1' }] });
  const { url: upstream } = await mock.start({ port: 0 });
  const records: ClientRecord[] = parseConfigClients(
    clients,
    'GATEWAY_CLIENTS',
    (f, p) => new GatewayConfigError(f, p),
    new Date().toISOString(),
  );
  const logs = new CapturedLogs();
  const apps = await Promise.all(
    [0, 1].map(async () => {
      const config: GatewayConfig = {
        mode: 'upstream',
        host: '127.0.0.1',
        port: 0,
        clientTokens: [],
        clients: { records, redisUrl, redisPrefix: prefix, refreshMs: 250 },
        adminToken: ADMIN,
        bodyLimit: '1mb',
        headersTimeoutMs: 10_000,
        requestTimeoutMs: 30_000,
        requestLog: 'all',
        logFormat: 'text',
        logFlushMs: 50,
        degradation: undefined,
        pool: {
          keys: [{ id: 'k1', apiKey: 'sk-client-limits-000001', baseUrl: upstream }],
          retry: { maxWaitForKeyMs: 0 },
          health: { validateOnStart: false, probe: false },
        },
      };
      const app = await createGateway(config, undefined, logs);
      await app.listen(0, '127.0.0.1');
      return app;
    }),
  );
  return {
    urls: apps.map((app) => `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`),
    mock,
    logs,
    close: async () => {
      await Promise.all(apps.map((app) => app.close()));
      await mock.close();
    },
  };
}

const served = (mock: DeepSeekMock): number => must(mock.stats().keys['k1'], 'the stats of k1').requests.chat;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('client tokens on two replicas sharing one Redis (real HTTP, real redis-server)', () => {
  const redis = useRedisServer();
  let running: Replicas | undefined;
  let run = 0;

  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  async function start(clients: unknown[]): Promise<Replicas> {
    running = await startReplicas(redis.url, `e2e${++run}:`, clients);
    return running;
  }

  it('enforce one requestsPerMinute limit together: exactly the limit passes, the rest get 429 + Retry-After and no upstream call', async () => {
    // Arrange
    const { urls, mock } = await start([{ name: 'web', token: TOKEN, limits: { requestsPerMinute: 10 } }]);

    // Act: 24 requests at once, half on each replica
    const replies = await Promise.all(Array.from({ length: 24 }, (_, i) => chat(urls[i % 2])));

    // Assert
    const refused = replies.filter((r) => r.status === 429);
    expect(replies.filter((r) => r.status === 200)).toHaveLength(10);
    expect(refused).toHaveLength(14);
    expect(served(mock)).toBe(10);
    for (const reply of refused) {
      expect(reply.headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/);
      expect(Number(reply.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      expect(reply.body.error).toMatchObject({ type: 'rate_limit_error', code: 'client_rate_limited' });
      expect(reply.body.error?.message).toContain('requestsPerMinute limit (10 requests per minute)');
    }
  });

  it('enforce one tokensPerMinute limit together, within one request of it (estimate before, real usage after)', async () => {
    // Arrange
    const { urls, mock } = await start([{ name: 'web', token: TOKEN, limits: { tokensPerMinute: 200 } }]);

    // Act: one at a time, alternating replicas
    const replies: Reply[] = [];
    for (let i = 0; i < 40; i++) replies.push(await chat(urls[i % 2]));

    // Assert: admitted while under the limit, so the last admitted request is the one that reached it (the mock bills
    // 12 tokens, the estimate is 53)
    const tokens = replies.filter((r) => r.status === 200).map((r) => must(r.body.usage, 'usage').total_tokens);
    const total = tokens.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(200);
    expect(total - must(tokens.at(-1), 'an admitted request')).toBeLessThan(200);
    expect(served(mock)).toBe(tokens.length);
    expect(
      replies.slice(tokens.length).every((r) => r.status === 429 && r.body.error?.message.includes('tokensPerMinute')),
    ).toBe(true);
  });

  it('enforce one daily USD budget together, priced from usage, and refuse past it with insufficient_quota', async () => {
    // Arrange: a budget of some requests (about 6e-6 USD each off-peak, twice that at DeepSeek's peak hours: 9 to 18
    // requests depending on the time of day the test runs)
    const budget = 0.0001;
    const { urls, mock } = await start([{ name: 'web', token: TOKEN, limits: { usdPerDay: budget } }]);

    // Act: until two requests in a row are refused (at most 40)
    const replies: Reply[] = [];
    for (let i = 0; i < 40 && replies.slice(-2).filter((r) => r.status === 429).length < 2; i++)
      replies.push(await chat(urls[i % 2], TOKEN, { ...ASK, max_tokens: 200 }));

    // Assert
    const costs = replies
      .filter((r) => r.status === 200)
      .map((r) => must(estimateCostUsd('deepseek-v4-flash', must(r.body.usage, 'usage'), new Date()), 'a price'));
    const spent = costs.reduce((a, b) => a + b, 0);
    expect(spent).toBeGreaterThanOrEqual(budget);
    expect(spent - must(costs.at(-1), 'an admitted request')).toBeLessThan(budget);
    expect(served(mock)).toBe(costs.length);
    const refused = replies.slice(costs.length);
    expect(refused.length).toBeGreaterThan(0);
    for (const reply of refused) {
      expect(reply.status).toBe(429);
      expect(reply.headers.get('x-should-retry')).toBe('false');
      expect(reply.body.error).toMatchObject({ type: 'insufficient_quota', code: 'client_budget_exceeded' });
    }
  });

  it('refuse a revoked client token on both replicas within 1 s, and keep no token text in Redis or the logs', async () => {
    // Arrange: a client created through the admin API of replica 0, seen by replica 1
    const { urls, logs } = await start([]);
    const created = await call(urls[0], '/admin/clients', ADMIN, {
      name: 'mobile',
      limits: { requestsPerMinute: 100 },
    });
    const token = (created.body as unknown as { token: string }).token;
    expect(created.status).toBe(201);
    const seenAt = Date.now();
    while ((await chat(urls[1], token)).status !== 200) {
      if (Date.now() - seenAt > 1_000) throw new Error('replica 1 did not accept the new client within 1 s');
      await sleep(20);
    }

    // Act
    expect((await call(urls[0], '/admin/clients/mobile', ADMIN, undefined, 'DELETE')).status).toBe(204);
    const revokedAt = Date.now();
    const onZero = await chat(urls[0], token);
    while ((await chat(urls[1], token)).status === 200) {
      if (Date.now() - revokedAt > 1_000) break;
      await sleep(20);
    }
    const elapsedMs = Date.now() - revokedAt;

    // Assert
    expect(onZero.status).toBe(401);
    expect((await chat(urls[1], token)).status).toBe(401);
    expect(elapsedMs).toBeLessThan(1_000);
    const inspect = new Redis(redis.url);
    try {
      const keys = await inspect.keys(`e2e${run}:*`);
      const dump = JSON.stringify(
        await Promise.all(
          keys.map((key) =>
            key.includes('usage') || key.endsWith('clients') ? inspect.hgetall(key) : inspect.type(key),
          ),
        ),
      );
      expect(keys.length).toBeGreaterThan(0);
      expect(dump).not.toContain(token);
    } finally {
      inspect.disconnect();
    }
    expect(logs.lines.join('\n')).not.toContain(token);
  });

  it('fail no request within its limits while Redis is killed and restarted empty, and keep admin-API clients', async () => {
    // Arrange
    const { urls } = await start([{ name: 'web', token: TOKEN, limits: { requestsPerMinute: 1_000, usdPerDay: 100 } }]);
    const created = await call(urls[0], '/admin/clients', ADMIN, {
      name: 'batch',
      limits: { requestsPerMinute: 1_000 },
    });
    const apiToken = (created.body as unknown as { token: string }).token;
    await sleep(300);
    const statuses: number[] = [];
    const driving = new AbortController();
    const driver = (async () => {
      for (let i = 0; !driving.signal.aborted; i++) {
        const replies = await Promise.all([chat(urls[i % 2]), chat(urls[(i + 1) % 2], apiToken)]);
        statuses.push(...replies.map((r) => r.status));
      }
    })();

    // Act: kill Redis (its data is lost), keep it down 1.5 s, bring it back empty, go on for a while
    await sleep(300);
    await redis.restart(1_500);
    await sleep(1_500);
    driving.abort();
    await driver;

    // Assert
    expect(statuses.length).toBeGreaterThan(20);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect((await chat(urls[1], apiToken)).status).toBe(200);
  });
});
