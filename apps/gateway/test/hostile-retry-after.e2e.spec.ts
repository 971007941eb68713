import { afterEach, describe, expect, it } from '@jest/globals';
import { must } from '../../../test/support/must.js';
import { type Gateway, startGateway } from './support/gateway-harness.js';

const ADMIN = 'admin-token-retry';
const chat = (gateway: Gateway) =>
  fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'deepseek-v4-flash', messages: [{ role: 'user', content: 'hi' }] }),
  });

/** Three keys whose upstream sends the same Retry-After (and retry-after-ms) hint on every 429. */
function cast(hint: { retryAfterHeader?: string; retryAfterMsHeader?: string }) {
  return {
    keys: ['a', 'b', 'c'].map((name) => ({
      key: `sk-retry-${name.repeat(12)}-01`,
      name,
      status: 429 as const,
      ...hint,
    })),
  };
}

describe('upstream Retry-After hints (issue 13, defect 8)', () => {
  let gateway: Gateway;

  afterEach(() => gateway.close());

  it.each<[string, { retryAfterHeader?: string; retryAfterMsHeader?: string }]>([
    ['a Retry-After too large for a date', { retryAfterHeader: '99999999999999999999999' }],
    ['a Retry-After of 11.6 days', { retryAfterHeader: '999999' }],
    ['a retry-after-ms too large for a number', { retryAfterMsHeader: '9'.repeat(400), retryAfterHeader: '999999' }],
  ])(
    'caps %s at cooldown.maxRetryAfterMs: integer seconds to clients, finite gauges, a readiness answer',
    async (_name, hint) => {
      // Arrange
      gateway = await startGateway(cast(hint), { pool: { cooldown: { maxRetryAfterMs: 120_000 } } });

      // Act
      const answer = await chat(gateway);
      const ready = await fetch(`${gateway.url}/health/ready`);
      const metrics = await (await fetch(`${gateway.url}/metrics`)).text();

      // Assert
      expect(answer.status).toBe(429);
      const seconds = must(answer.headers.get('retry-after'), 'the retry-after header');
      expect(seconds).toMatch(/^\d+$/);
      expect(Number(seconds)).toBeGreaterThan(100);
      expect(Number(seconds)).toBeLessThanOrEqual(120);
      expect(answer.headers.get('retry-after-ms')).toMatch(/^\d+$/);
      expect(ready.status).toBe(503);
      const details = (await ready.json()) as {
        details: { 'deepseek-pool': { keys: Record<string, { cooldownUntil: string }> } };
      };
      for (const key of Object.values(details.details['deepseek-pool'].keys))
        expect(Date.parse(key.cooldownUntil) - Date.now()).toBeLessThanOrEqual(120_000);
      const cooldowns = [...metrics.matchAll(/^deepseek_pool_cooldown_seconds\{[^}]*\} (\S+)$/gm)].map((m) =>
        Number(m[1]),
      );
      expect(cooldowns).toHaveLength(3);
      for (const value of cooldowns) expect(value).toBeLessThanOrEqual(120);
    },
  );

  it('ignores a Retry-After that is not a delay: the key cools for its own exponential cooldown', async () => {
    // Arrange
    gateway = await startGateway(cast({ retryAfterHeader: 'soon, maybe' }), {
      pool: { cooldown: { baseMs: 1_000, maxMs: 60_000 } },
    });

    // Act
    const answer = await chat(gateway);

    // Assert: one 429 each, cooled about baseMs (0.5 to 1 s)
    expect(answer.status).toBe(429);
    expect(Number(answer.headers.get('retry-after-ms'))).toBeLessThanOrEqual(1_000);
  });

  it('puts a cooling key back at once through the admin enable', async () => {
    // Arrange
    gateway = await startGateway(cast({ retryAfterHeader: '999999' }), { adminToken: ADMIN });
    await chat(gateway);

    // Act
    const enabled = await fetch(`${gateway.url}/admin/keys/a/enable`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}` },
    });

    // Assert
    expect(enabled.status).toBe(200);
    expect(await enabled.json()).toMatchObject({ id: 'a', state: 'ready' });
  });
});
