import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { DeepSeekPoolService, type Usage } from 'nestjs-deepseek-pool';
import type { MockScenario } from 'nestjs-deepseek-pool-mock';
import { estimateCostUsd } from '../src/metrics/cost/estimate-cost.js';
import { MetricsSettings } from '../src/metrics/metrics-settings.js';
import { type TokenKind, tokenCounts } from '../src/metrics/cost/token-counts.js';
import { promqlMetricNames } from '../src/metrics/promql-names.fixture.js';
import { BREAKER_STATE_CODES, KEY_STATE_CODES } from '../src/metrics/snapshot-gauges.js';
import { must } from '../../../test/support/must.js';
import { type Gateway, startGateway } from './support/gateway-harness.js';

/** Two healthy keys, one that always answers 429 and one that always answers 500. */
const CAST: MockScenario = {
  defaults: { latencyMs: 1 },
  keys: [
    { key: 'sk-metrics-healthy-0000000001', name: 'healthy-1' },
    { key: 'sk-metrics-healthy-0000000002', name: 'healthy-2' },
    { key: 'sk-metrics-limited-0000000003', name: 'limited', status: 429 },
    { key: 'sk-metrics-broken-00000000004', name: 'broken', status: 500 },
  ],
};
const SECRETS = CAST.keys.map((key) => key.key);
/** Round robin makes the run deterministic; a 429 cools its key for 30-60 s, so the scrape sees it cooling. */
/** Hedging off: the run is compared attempt for attempt with the mock's counters, and a hedge fires by timing. */
const POOL = {
  strategy: 'round-robin',
  health: { probe: false, validateOnStart: false },
  cooldown: { baseMs: 60_000, maxMs: 60_000 },
  hedging: false,
} as const;
/** The scripted run: [model, stream] per request, sent one after another. */
const SCRIPT: ReadonlyArray<[string, boolean]> = [
  ...Array.from({ length: 12 }, (): [string, boolean] => ['deepseek-v4-flash', false]),
  ...Array.from({ length: 4 }, (): [string, boolean] => ['deepseek-reasoner', false]),
  ...Array.from({ length: 4 }, (): [string, boolean] => ['deepseek-v4-flash', true]),
];
const MONDAY_OFF_PEAK = new Date('2026-01-05T12:00:00Z');
const MONDAY_PEAK = new Date('2026-01-05T07:00:00Z');

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition. */
function parseSamples(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`Not a sample line: ${line}`);
      const labelText = match[2] as string | undefined; // an optional group (exec's type leaves out its undefined)
      const labels = Object.fromEntries(
        [...(labelText ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
      );
      return { name: match[1], labels, value: Number(match[3]) };
    });
}

/** Every series name the exposition declares (histograms with their _bucket, _sum and _count series). */
function exportedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\w+)$/gm)) {
    names.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}

/** Sum of the samples of `name` whose labels include `labels`. */
function sum(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((total, s) => total + s.value, 0);
}

/** The usage of an answer: the JSON body, or the final chunk of a stream. */
async function usageOf(response: Response, stream: boolean): Promise<Usage> {
  if (!stream) return ((await response.json()) as { usage: Usage }).usage;
  const chunks = (await response.text())
    .split('\n')
    .filter((line) => line.startsWith('data: {'))
    .map((line) => JSON.parse(line.slice('data: '.length)) as { usage?: Usage | null });
  const usage = chunks.find((chunk) => chunk.usage)?.usage;
  if (!usage) throw new Error('stream without usage');
  return usage;
}

function scrape(gateway: Gateway, token?: string): Promise<Response> {
  return fetch(`${gateway.url}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
}

describe('GET /metrics after a scripted run against the mock (one 429 key, one 500 key)', () => {
  let gateway: Gateway;
  let text: string;
  let samples: Sample[];
  const usages: Array<{ model: string; usage: Usage }> = [];
  const served: Record<string, number> = {};

  beforeAll(async () => {
    gateway = await startGateway(CAST, { pool: POOL });
    for (const [index, [model, stream]] of SCRIPT.entries()) {
      const messages = [
        { role: 'system', content: 'You are a terse assistant that answers metrics questions.' },
        { role: 'user', content: `Question ${index}` },
      ];
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages, stream }),
      });
      expect(response.status).toBe(200);
      const key = must(response.headers.get('x-deepseek-pool-key'), 'the x-deepseek-pool-key header');
      served[key] = (served[key] ?? 0) + 1;
      usages.push({ model, usage: await usageOf(response, stream) });
    }
    const response = await scrape(gateway);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    text = await response.text();
    samples = parseSamples(text);
  });
  afterAll(() => gateway.close());

  it('counts caller requests by model, outcome and stream, with a latency histogram', () => {
    expect(
      sum(samples, 'deepseek_pool_requests_total', { model: 'deepseek-v4-flash', outcome: 'success', stream: 'false' }),
    ).toBe(12);
    expect(
      sum(samples, 'deepseek_pool_requests_total', { model: 'deepseek-reasoner', outcome: 'success', stream: 'false' }),
    ).toBe(4);
    expect(
      sum(samples, 'deepseek_pool_requests_total', { model: 'deepseek-v4-flash', outcome: 'success', stream: 'true' }),
    ).toBe(4);
    expect(sum(samples, 'deepseek_pool_requests_total', { outcome: 'error' })).toBe(0);
    expect(sum(samples, 'deepseek_pool_request_duration_seconds_count')).toBe(SCRIPT.length);
    expect(sum(samples, 'deepseek_pool_request_duration_seconds_bucket', { le: '+Inf' })).toBe(SCRIPT.length);
  });

  it('counts upstream attempts per key by outcome and status class, exactly as the mock saw them', () => {
    const stats = gateway.mock.stats().keys;
    for (const key of ['healthy-1', 'healthy-2']) {
      expect(
        sum(samples, 'deepseek_pool_attempts_total', { key_id: key, outcome: 'success', status_class: '2xx' }),
      ).toBe(stats[key].responses['200']);
      expect(sum(samples, 'deepseek_pool_attempts_total', { key_id: key, outcome: 'success' })).toBe(served[key]);
    }
    expect(
      sum(samples, 'deepseek_pool_attempts_total', { key_id: 'limited', outcome: 'http', status_class: '429' }),
    ).toBe(stats.limited.responses['429']);
    expect(
      sum(samples, 'deepseek_pool_attempts_total', { key_id: 'broken', outcome: 'http', status_class: '5xx' }),
    ).toBe(stats.broken.responses['500']);
    expect(stats.limited.responses['429']).toBeGreaterThanOrEqual(1);
    expect(stats.broken.responses['500']).toBeGreaterThanOrEqual(5);
    for (const key of Object.keys(stats))
      expect(sum(samples, 'deepseek_pool_attempt_duration_seconds_count', { key_id: key })).toBe(
        stats[key].requests.chat,
      );
  });

  it('counts one retry per failed attempt, by key and reason', () => {
    const stats = gateway.mock.stats().keys;
    const limited = must(stats['limited'].responses['429'], 'the 429s of key limited');
    const broken = must(stats['broken'].responses['500'], 'the 500s of key broken');
    expect(sum(samples, 'deepseek_pool_retries_total', { key_id: 'limited', reason: 'http' })).toBe(limited);
    expect(sum(samples, 'deepseek_pool_retries_total', { key_id: 'broken', reason: 'http' })).toBe(broken);
    expect(sum(samples, 'deepseek_pool_retries_total')).toBe(limited + broken);
  });

  it('counts tokens by key and kind equal to the usage the mock served', () => {
    const stats = gateway.mock.stats().keys;
    for (const key of ['healthy-1', 'healthy-2']) {
      const tokens = (kind: TokenKind) => sum(samples, 'deepseek_pool_tokens_total', { key_id: key, kind });
      expect(tokens('prompt_cache_hit')).toBe(stats[key].tokens.cacheHit);
      expect(tokens('prompt_cache_miss')).toBe(stats[key].tokens.cacheMiss);
      expect(tokens('completion')).toBe(stats[key].tokens.completion);
    }
    const reasoning = usages.reduce((total, { usage }) => total + tokenCounts(usage).reasoning, 0);
    expect(reasoning).toBeGreaterThan(0);
    expect(sum(samples, 'deepseek_pool_tokens_total', { kind: 'reasoning' })).toBe(reasoning);
    expect(sum(samples, 'deepseek_pool_tokens_total', { kind: 'prompt_cache_hit' })).toBeGreaterThan(0);
  });

  it('estimates the cost by key and model between the off-peak and the peak price of the usage served', () => {
    const cost = (date: Date) =>
      usages.reduce(
        (total, { model, usage }) => total + must(estimateCostUsd(model, usage, date), `the price of ${model}`),
        0,
      );
    const counted = sum(samples, 'deepseek_pool_cost_usd_total');
    expect(counted).toBeGreaterThan(0);
    expect(counted).toBeGreaterThanOrEqual(cost(MONDAY_OFF_PEAK) * (1 - 1e-9));
    expect(counted).toBeLessThanOrEqual(cost(MONDAY_PEAK) * (1 + 1e-9));
    expect(sum(samples, 'deepseek_pool_cost_usd_total', { key_id: 'limited' })).toBe(0);
    expect(
      sum(samples, 'deepseek_pool_cost_usd_total', { key_id: 'healthy-1', model: 'deepseek-reasoner' }),
    ).toBeGreaterThan(0);
  });

  it('reads per-key gauges from the snapshot: nothing in flight at rest, breaker and key states, cooldowns', () => {
    const keys = gateway.app.get(DeepSeekPoolService).snapshot().keys;
    const gauge = (name: string, key: string) =>
      samples.filter((s) => s.name === `deepseek_pool_${name}` && s.labels.key_id === key).map((s) => s.value);
    for (const key of keys) {
      expect(gauge('in_flight', key.id)).toEqual([0]);
      expect(gauge('breaker_state', key.id)).toEqual([BREAKER_STATE_CODES[key.breaker]]);
      expect(gauge('key_state', key.id)).toEqual([KEY_STATE_CODES[key.state]]);
      expect(gauge('error_rate', key.id)).toEqual([key.errorRate]);
      expect(gauge('latency_ewma_seconds', key.id)).toEqual([expect.any(Number)]);
    }
    expect(gauge('latency_ewma_seconds', 'healthy-1')[0]).toBeGreaterThan(0);
    expect(gauge('breaker_state', 'healthy-1')).toEqual([BREAKER_STATE_CODES.closed]);
    expect(gauge('breaker_state', 'broken')).toEqual([BREAKER_STATE_CODES.open]);
    expect(gauge('key_state', 'broken')).toEqual([KEY_STATE_CODES.open]);
    expect(gauge('key_state', 'limited')).toEqual([KEY_STATE_CODES.cooling]);
    expect(gauge('cooldown_seconds', 'limited')[0]).toBeGreaterThan(0);
    expect(gauge('cooldown_seconds', 'limited')[0]).toBeLessThanOrEqual(60);
    expect(gauge('cooldown_seconds', 'healthy-1')).toEqual([0]);
  });

  it('labels series with key ids only: no secret, not even a masked key, appears in the scrape', () => {
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/sk-/);
    const keyIds = new Set(samples.flatMap((s) => (Object.hasOwn(s.labels, 'key_id') ? [s.labels.key_id] : [])));
    expect([...keyIds].sort()).toEqual(['broken', 'healthy-1', 'healthy-2', 'limited']);
  });

  it('the Grafana dashboard queries only metrics this registry exports, in its four views', () => {
    const dashboard = JSON.parse(
      readFileSync(new URL('../grafana/deepseek-pool-dashboard.json', import.meta.url), 'utf8'),
    ) as {
      panels: Array<{ title: string; type: string; targets?: Array<{ expr: string }> }>;
      templating: { list: Array<{ query: string | { query: string } }> };
    };
    const queries = [
      ...dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr)),
      ...dashboard.templating.list
        .map((variable) => (typeof variable.query === 'string' ? variable.query : variable.query.query))
        .filter((query) => query.includes('(')),
    ];
    const exported = exportedNames(text);
    const referenced = new Set(queries.flatMap((query) => promqlMetricNames(query)));
    expect(queries.length).toBeGreaterThan(20);
    for (const query of queries) expect(promqlMetricNames(query).length).toBeGreaterThan(0);
    expect([...referenced].filter((name) => !exported.has(name))).toEqual([]);
    const titles = dashboard.panels.map((panel) => panel.title).join('\n');
    for (const view of [/key health heatmap/i, /P50 \/ P90 \/ P99/, /errors by type/i, /cost \(USD \/ hour\)/i])
      expect(titles).toMatch(view);
  });
});

describe('GET /metrics with GATEWAY_METRICS_TOKEN', () => {
  let gateway: Gateway;
  afterEach(() => gateway.close());

  it('is open when no token is set', async () => {
    gateway = await startGateway(CAST, { pool: POOL });
    expect((await scrape(gateway)).status).toBe(200);
  });

  it('needs `Authorization: Bearer <token>` when one is set', async () => {
    const metrics = MetricsSettings.fromEnv({ GATEWAY_METRICS_TOKEN: 'metrics-scrape-token' });
    gateway = await startGateway(CAST, { pool: POOL, metrics });
    const refused = await scrape(gateway);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: { message: expect.stringContaining('metrics token') } });
    expect((await scrape(gateway, 'wrong-token')).status).toBe(401);
    const allowed = await scrape(gateway, 'metrics-scrape-token');
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain('# TYPE deepseek_pool_requests_total counter');
  });
});
