import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { type ClientRecord, parseConfigClients } from '../src/clients/client-spec.js';
import { GatewayConfigError } from '../src/config/gateway-config-error.js';
import { type Gateway, startGateway } from './support/gateway-harness.js';

const WEB = 'client-token-web-0123456789';
const CHEAP = 'client-token-cheap-0123456789';
const FLAT = 'flat-gateway-token-0123456789';
const ADMIN = 'admin-token-client-tokens';
const ASK = { model: 'deepseek-v4-flash', messages: [{ role: 'user' as const, content: 'Hi' }] };

function clients(list: unknown[]): ClientRecord[] {
  return parseConfigClients(list, 'GATEWAY_CLIENTS', (f, p) => new GatewayConfigError(f, p), new Date().toISOString());
}

const client = (gateway: Gateway, apiKey: string): OpenAI =>
  new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey, maxRetries: 0 });

/**
 * One replica, clients in memory (no REDIS_URL), in front of the mock: a cheap key of priority 0 and a premium key of
 * priority 1.
 */
describe('client tokens on one replica (real HTTP, the openai client)', () => {
  let gateway: Gateway;

  beforeEach(async () => {
    gateway = await startGateway(
      {
        defaults: { latencyMs: 1 },
        keys: [
          { key: 'sk-tokens-cheap-00000001', name: 'cheap' },
          { key: 'sk-tokens-premium-000001', name: 'premium' },
        ],
      },
      {
        tokens: [FLAT],
        adminToken: ADMIN,
        clients: {
          records: clients([
            { name: 'web', token: WEB, models: ['deepseek-v4-flash'], limits: { requestsPerMinute: 3 } },
            { name: 'cheap', token: CHEAP, priorities: [1] },
          ]),
          redisUrl: undefined,
          redisPrefix: 'unused:',
          refreshMs: 250,
        },
      },
    );
  });

  afterEach(async () => {
    await gateway.close();
  });

  it('refuses a request without a token once client tokens are configured, and still takes GATEWAY_TOKENS', async () => {
    await expect(client(gateway, 'not-a-token').chat.completions.create(ASK)).rejects.toMatchObject({ status: 401 });
    await expect(client(gateway, FLAT).chat.completions.create(ASK)).resolves.toMatchObject({
      object: 'chat.completion',
    });
  });

  it('gives the openai client a 429 RateLimitError with the limit named, after exactly requestsPerMinute answers', async () => {
    // Arrange
    const web = client(gateway, WEB);
    for (let i = 0; i < 3; i++) await web.chat.completions.create(ASK);
    const upstreamBefore =
      gateway.mock.stats().keys.cheap.requests.chat + gateway.mock.stats().keys.premium.requests.chat;

    // Act
    const error = await web.chat.completions.create(ASK).catch((e: unknown) => e);

    // Assert
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).message).toContain(
      'requestsPerMinute limit (3 requests per minute)',
    );
    expect(gateway.mock.stats().keys.cheap.requests.chat + gateway.mock.stats().keys.premium.requests.chat).toBe(
      upstreamBefore,
    );
  });

  it('refuses a model outside the client list with 403 before any upstream call', async () => {
    const error = await client(gateway, WEB)
      .chat.completions.create({ ...ASK, model: 'deepseek-v4-pro' })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(gateway.mock.stats().keys.cheap.requests.chat + gateway.mock.stats().keys.premium.requests.chat).toBe(0);
  });

  it('sends a client limited to priorities [1] to the keys of priority 1 only', async () => {
    // Arrange: the premium key moves to priority 1
    await gateway.close();
    gateway = await startGateway(
      {
        defaults: { latencyMs: 1 },
        keys: [
          { key: 'sk-tokens-cheap-00000001', name: 'cheap' },
          { key: 'sk-tokens-premium-000001', name: 'premium' },
        ],
      },
      {
        clients: {
          records: clients([{ name: 'cheap', token: CHEAP, priorities: [1] }]),
          redisUrl: undefined,
          redisPrefix: 'unused:',
          refreshMs: 250,
        },
      },
    );
    const keys = gateway.app.get((await import('nestjs-deepseek-pool')).DeepSeekPoolAdmin);
    await keys.removeKey('premium');
    keys.addKey({ id: 'premium', apiKey: 'sk-tokens-premium-000001', baseUrl: gateway.mock.url, priority: 1 });

    // Act
    for (let i = 0; i < 4; i++) await client(gateway, CHEAP).chat.completions.create(ASK);

    // Assert
    expect(gateway.mock.stats().keys.premium.requests.chat).toBe(4);
    expect(gateway.mock.stats().keys.cheap.requests.chat).toBe(0);
  });

  it('shows each client on the status snapshot and /metrics by name, with no token text', async () => {
    // Arrange
    await client(gateway, WEB).chat.completions.create(ASK);

    // Act
    const snapshot = (await (
      await fetch(`${gateway.url}/status/snapshot`, { headers: { authorization: `Bearer ${ADMIN}` } })
    ).json()) as { clients: unknown[] };
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    const listing = (await (
      await fetch(`${gateway.url}/admin/clients`, { headers: { authorization: `Bearer ${ADMIN}` } })
    ).json()) as { clients: Array<{ name: string }> };

    // Assert
    expect(snapshot.clients).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'web',
          limits: { requestsPerMinute: 3 },
          used: expect.objectContaining({ requestsPerMinute: 1 }),
        }),
      ]),
    );
    expect(metrics).toContain('gateway_client_requests_total{client="web",outcome="admitted"} 1');
    expect(listing.clients.map((c) => c.name)).toEqual(['web', 'cheap']);
    for (const text of [JSON.stringify(snapshot), metrics, JSON.stringify(listing), gateway.logs.lines.join('\n')]) {
      expect(text).not.toContain(WEB);
      expect(text).not.toContain(CHEAP);
    }
  });
});
