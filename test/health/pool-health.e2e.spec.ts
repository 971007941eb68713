import { afterEach, describe, expect, it } from '@jest/globals';
import { DeepSeekMock } from 'nestjs-deepseek-pool-mock';
import type { DeepSeekPoolOptions } from 'nestjs-deepseek-pool';
import { DeepSeekPoolHealthIndicator } from 'nestjs-deepseek-pool/health';
import { type HealthApp, startHealthApp, until } from './health-app.js';

const SECRETS = ['sk-e2ehealthsecret0000000001', 'sk-e2ehealthsecret0000000002', 'sk-e2ehealthsecret0000000003'];
const [S1, S2, S3] = SECRETS;
const request = { model: 'deepseek-v4-flash', messages: [{ role: 'user' as const, content: 'hi' }] };

describe('pool health over HTTP, the mock as upstream', () => {
  let mock: DeepSeekMock;
  let h: HealthApp;

  async function start(overrides: Partial<DeepSeekPoolOptions> = {}): Promise<void> {
    mock = new DeepSeekMock({
      accounts: { 'acct-1': {}, 'acct-2': {}, 'acct-3': {} },
      keys: SECRETS.map((key, i) => ({ key, name: `mock-${i + 1}`, account: `acct-${i + 1}` })),
    });
    const { url } = await mock.start();
    h = await startHealthApp({
      keys: SECRETS.map((apiKey, i) => ({ id: `key-${i + 1}`, apiKey, baseUrl: url, account: `acct-${i + 1}` })),
      // The schedule never fires during a test: each test runs probe rounds with checkNow().
      health: { probe: { intervalMs: 3_600_000, balance: true } },
      breaker: { resetTimeoutMs: 600_000 },
      retry: { maxWaitForKeyMs: 0 },
      ...overrides,
    });
  }

  const ready = () => h.get('/health/ready');
  const probeRounds = async (n: number) => {
    for (let i = 0; i < n; i++) await h.prober.checkNow();
  };

  afterEach(async () => {
    await h.close();
    await mock.close();
    const everything = [...h.bodies, ...h.logger.lines].join('\n');
    for (const secret of SECRETS) expect(everything).not.toContain(secret);
  });

  it("answers /health/ready in terminus's shape with per-key details; /health/live is independent of upstream", async () => {
    await start();
    const { status, body } = await ready();
    expect(status).toBe(200);
    expect(body).toEqual({
      status: 'ok',
      info: {
        'deepseek-pool': expect.objectContaining({ status: 'up', servingKeys: 3, totalKeys: 3, minHealthyKeys: 1 }),
      },
      error: {},
      details: { 'deepseek-pool': expect.objectContaining({ status: 'up' }) },
    });
    expect(body.details['deepseek-pool'].keys).toEqual({
      'key-1': {
        maskedKey: 'sk-...0001',
        account: 'acct-1',
        state: 'ready',
        breaker: 'closed',
        latencyEwmaMs: 0,
        errorRate: 0,
        inFlight: 0,
      },
      'key-2': {
        maskedKey: 'sk-...0002',
        account: 'acct-2',
        state: 'ready',
        breaker: 'closed',
        latencyEwmaMs: 0,
        errorRate: 0,
        inFlight: 0,
      },
      'key-3': {
        maskedKey: 'sk-...0003',
        account: 'acct-3',
        state: 'ready',
        breaker: 'closed',
        latencyEwmaMs: 0,
        errorRate: 0,
        inFlight: 0,
      },
    });

    await mock.close(); // upstream gone: liveness does not care
    expect(await h.get('/health/live')).toEqual({
      status: 200,
      body: { status: 'ok', info: {}, error: {}, details: {} },
    });
  });

  it('never calls upstream on a health request', async () => {
    await start();
    const before = JSON.stringify(mock.stats().keys);
    for (let i = 0; i < 5; i++) await ready();
    expect(JSON.stringify(mock.stats().keys)).toBe(before);
  });

  it('goes up -> degraded -> down -> degraded as the mock turns keys bad and good', async () => {
    await start();
    expect((await ready()).body.status).toBe('ok');

    mock.setKey(S1, { status: 503 });
    await probeRounds(3);
    let { status, body } = await ready();
    expect(status).toBe(200);
    expect(body.status).toBe('degraded');
    expect(body.info?.['deepseek-pool']).toMatchObject({
      status: 'degraded',
      servingKeys: 2,
      keys: { 'key-1': { state: 'open', breaker: 'open' } },
    });

    mock.setBalance('acct-2', 0);
    mock.setBalance('acct-3', 0);
    await probeRounds(1);
    ({ status, body } = await ready());
    expect(status).toBe(503);
    expect(body.status).toBe('error');
    expect(body.error?.['deepseek-pool']).toMatchObject({
      status: 'down',
      servingKeys: 0,
      keys: {
        'key-2': { state: 'disabled', disabledReason: 'insufficient-balance' },
        'key-3': { state: 'disabled', disabledReason: 'insufficient-balance' },
      },
    });

    mock.setBalance('acct-2', 50);
    mock.setBalance('acct-3', 50);
    await probeRounds(1);
    ({ status, body } = await ready());
    expect(status).toBe(200);
    expect(body.status).toBe('degraded');
    expect(body.info?.['deepseek-pool']).toMatchObject({
      servingKeys: 2,
      keys: { 'key-2': { state: 'ready' }, 'key-3': { state: 'ready' } },
    });
  });

  it('brings a key that probes marked down back through half-open once the mock heals it: degraded -> up', async () => {
    await start({ breaker: { resetTimeoutMs: 300 } });
    const transitions: string[] = [];
    h.pool.events.on('breaker.open', ({ keyId }) => transitions.push(`${keyId} open`));
    h.pool.events.on('breaker.half-open', ({ keyId }) => transitions.push(`${keyId} half-open`));

    mock.setKey(S2, { status: 500 });
    await probeRounds(3);
    expect(transitions[0]).toBe('key-2 open');

    mock.setKey(S2, { status: null });
    await probeRounds(2);
    await until(async () => (await ready()).body.status === 'ok');
    expect(transitions).toContain('key-2 half-open');
    expect((await ready()).body.details['deepseek-pool'].keys?.['key-2']).toMatchObject({ state: 'half-open' });
    expect(h.logger.lines).toContain('Key key-2 passed 2 probes in a row: it returns through half-open');
  });

  it('a key emptied by traffic (402) comes back after mock.setBalance restores its balance', async () => {
    await start();
    mock.setBalance('acct-2', 0);
    h.admin.disableKey('key-1', 'manual');
    h.admin.disableKey('key-3', 'manual');
    await expect(h.pool.chat(request)).rejects.toThrow();
    h.admin.enableKey('key-1');
    h.admin.enableKey('key-3');
    expect((await ready()).body.info?.['deepseek-pool']).toMatchObject({
      status: 'degraded',
      keys: { 'key-2': { state: 'disabled', disabledReason: 'insufficient-balance' } },
    });

    await probeRounds(2); // the balance is still empty: it stays out
    expect((await ready()).body.status).toBe('degraded');

    mock.setBalance('acct-2', 25);
    await probeRounds(1);
    expect((await ready()).body.status).toBe('ok');
    await expect(h.pool.chat(request)).resolves.toBeDefined();
  });

  it('a revoked key (401) stays out when the upstream accepts it again, until an operator enables it', async () => {
    await start();
    mock.setKey(S3, { status: 401 });
    await probeRounds(1);
    expect((await ready()).body.info?.['deepseek-pool']).toMatchObject({
      status: 'degraded',
      keys: { 'key-3': { state: 'disabled', disabledReason: 'revoked' } },
    });

    mock.setKey(S3, { status: null });
    const probesSoFar = mock.stats().keys['mock-3'].requests.models;
    await probeRounds(3);
    expect((await ready()).body.status).toBe('degraded');
    expect(mock.stats().keys['mock-3'].requests.models).toBe(probesSoFar);

    h.admin.enableKey('key-3');
    await probeRounds(1);
    expect((await ready()).body.status).toBe('ok');
  });

  it('is down below minHealthyKeys even while some keys serve', async () => {
    await start();
    mock.setKey(S1, { status: 401 });
    await probeRounds(1);
    const check = h.app.get(DeepSeekPoolHealthIndicator).isHealthy('deepseek-pool', { minHealthyKeys: 3 });
    expect(check['deepseek-pool']).toMatchObject({ status: 'down', servingKeys: 2, minHealthyKeys: 3 });
  });
});
