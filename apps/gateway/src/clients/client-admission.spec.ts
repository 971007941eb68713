import { describe, expect, it } from '@jest/globals';
import type { ChatCompletionRequest, Usage } from 'nestjs-deepseek-pool';
import { Registry } from 'prom-client';
import { DEFAULT_PRICES } from '../metrics/cost/price-table.js';
import { ClientAdmission } from './client-admission.js';
import { MemoryLedger } from './client-ledger.js';
import { ClientMetrics } from './client-metrics.js';
import { ClientRefusedError } from './client-refusal.js';
import type { ClientRecord } from './client-spec.js';
import type { ClientLimits } from './spend-window.js';

/** Saturday noon UTC: off-peak prices (flash: cache hit 0.003, miss 0.15, output 0.6 USD per million). */
const T0 = Date.UTC(2026, 0, 17, 12, 0, 0);
const ASK: ChatCompletionRequest = {
  model: 'deepseek-v4-flash',
  messages: [{ role: 'user', content: 'x'.repeat(400) }],
  max_tokens: 100,
};
const MILLION_EACH: Usage = {
  prompt_tokens: 2_000_000,
  prompt_cache_hit_tokens: 1_000_000,
  prompt_cache_miss_tokens: 1_000_000,
  completion_tokens: 1_000_000,
  total_tokens: 3_000_000,
};

function setup(limits: ClientLimits, extra: Partial<ClientRecord> = {}) {
  let nowMs = T0;
  const now = (): number => nowMs;
  const ledger = new MemoryLedger(now);
  const registry = new Registry();
  const client: ClientRecord = {
    name: 'web',
    limits,
    source: 'api',
    tokenSha256: 'f'.repeat(64),
    tokenHint: 'gwc-…abcd',
    createdAt: '',
    updatedAt: '',
    ...extra,
  };
  const metrics = new ClientMetrics(
    registry,
    () => [client],
    (name) => ledger.totals(name),
  );
  const admission = new ClientAdmission(
    ledger,
    metrics,
    DEFAULT_PRICES,
    { charsPerToken: 4, completionTokens: 1_024 },
    now,
  );
  return { admission, ledger, registry, client, advance: (ms: number) => (nowMs += ms) };
}

async function refusal(promise: Promise<unknown>): Promise<ClientRefusedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ClientRefusedError)) throw new Error(`expected a refusal, got ${String(error)}`);
  return error;
}

describe('ClientAdmission', () => {
  it('refuses the request over requestsPerMinute with a 429 naming the limit and when it frees', async () => {
    // Arrange
    const { admission, client, advance } = setup({ requestsPerMinute: 2 });
    await admission.admit(client, ASK);
    advance(10_000);
    await admission.admit(client, ASK);

    // Act
    const error = await refusal(admission.admit(client, ASK));

    // Assert
    expect(error.response).toEqual({
      status: 429,
      headers: { 'retry-after': '50', 'retry-after-ms': '50000', 'x-should-retry': 'true' },
      body: {
        error: {
          message: 'Client "web" reached its requestsPerMinute limit (2 requests per minute); retry in 50 s',
          type: 'rate_limit_error',
          param: null,
          code: 'client_rate_limited',
        },
      },
    });
  });

  it('estimates as the pool does: prompt characters / 4 + max_tokens, corrected by the usage after', async () => {
    // Arrange
    const { admission, ledger, client } = setup({ tokensPerMinute: 10_000 });

    // Act
    const ticket = await admission.admit(client, ASK);
    const estimated = ledger.totals('web').tokensPerMinute;
    await admission.track(
      ticket,
      () => Promise.resolve('answer'),
      () => ({ prompt_tokens: 90, completion_tokens: 10, total_tokens: 100 }),
    );

    // Assert
    expect(estimated).toBe(100 + 100);
    expect(ledger.totals('web').tokensPerMinute).toBe(100);
  });

  it('prices the real usage with cache hits at the cache-hit rate, against the daily budget', async () => {
    // Arrange
    const { admission, ledger, client } = setup({ usdPerDay: 1 });

    // Act
    const ticket = await admission.admit(client, ASK);
    await admission.track(
      ticket,
      () => Promise.resolve('answer'),
      () => MILLION_EACH,
    );

    // Assert: 1M hits x 0.003 + 1M misses x 0.15 + 1M output x 0.6
    expect(ledger.totals('web').usdPerDay).toBeCloseTo(0.753, 9);
  });

  it('refuses a spent budget with 429 insufficient_quota until midnight UTC, and no retry', async () => {
    // Arrange
    const { admission, client } = setup({ usdPerDay: 0.5 });
    await admission.track(
      await admission.admit(client, ASK),
      () => Promise.resolve('answer'),
      () => MILLION_EACH,
    );

    // Act
    const error = await refusal(admission.admit(client, ASK));

    // Assert
    expect(error.response.status).toBe(429);
    expect(error.response.headers).toEqual({
      'retry-after': String(12 * 3600),
      'retry-after-ms': String(12 * 3600 * 1000),
      'x-should-retry': 'false',
    });
    expect(error.response.body.error).toMatchObject({
      type: 'insufficient_quota',
      code: 'client_budget_exceeded',
      message: 'Client "web" spent its usdPerDay budget (0.5 USD per UTC day); it renews in 43200 s',
    });
  });

  it('refunds a request that failed before any usage: nothing was generated', async () => {
    const { admission, ledger, client } = setup({ tokensPerDay: 1_000 });

    const ticket = await admission.admit(client, ASK);
    await expect(admission.track(ticket, () => Promise.reject(new Error('upstream down')))).rejects.toThrow(
      'upstream down',
    );

    expect(ledger.totals('web')).toMatchObject({ requestsPerMinute: 1, tokensPerDay: 0 });
  });

  it('keeps the estimate when the answer reports no usage', async () => {
    const { admission, ledger, client } = setup({ tokensPerDay: 1_000 });

    await admission.track(
      await admission.admit(client, ASK),
      () => Promise.resolve('answer'),
      () => undefined,
    );

    expect(ledger.totals('web').tokensPerDay).toBe(200);
  });

  it('refuses a model the client may not use with 403, before counting anything', async () => {
    const { admission, ledger, client } = setup({ requestsPerMinute: 1 }, { models: ['deepseek-v4-pro'] });

    const error = await refusal(admission.admit(client, ASK));

    expect(error.response.status).toBe(403);
    expect(error.response.body.error.code).toBe('model_not_allowed');
    expect(ledger.totals('web').requestsPerMinute).toBe(0);
  });

  it('lets callers without a client token through unlimited', async () => {
    const { admission } = setup({ requestsPerMinute: 1 });

    await expect(admission.admit(undefined, ASK)).resolves.toBeUndefined();
    await expect(admission.admit(undefined, ASK)).resolves.toBeUndefined();
  });

  it('exports per-client requests, tokens, cost and remaining budget by name', async () => {
    // Arrange
    const { admission, client, registry } = setup({ requestsPerMinute: 1, usdPerDay: 1 });
    await admission.track(
      await admission.admit(client, ASK),
      () => Promise.resolve('answer'),
      () => MILLION_EACH,
    );
    await admission.admit(client, ASK).catch(() => undefined);

    // Act
    const text = await registry.metrics();

    // Assert
    expect(text).toContain('gateway_client_requests_total{client="web",outcome="admitted"} 1');
    expect(text).toContain('gateway_client_requests_total{client="web",outcome="rate_limited"} 1');
    expect(text).toContain('gateway_client_tokens_total{client="web"} 3000000');
    expect(text).toMatch(/gateway_client_budget_remaining_usd\{client="web",period="day"\} 0\.24[67]/);
    expect(text).toContain('gateway_client_limit_used_ratio{client="web",limit="requestsPerMinute"} 1');
    expect(text).not.toContain('f'.repeat(64));
  });
});
