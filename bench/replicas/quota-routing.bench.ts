import {
  type KeyOptions,
  MemoryStateStore,
  type StrategyName,
  createDeepSeekPool,
  attemptsOf,
} from 'nestjs-deepseek-pool';
import { mulberry32 } from 'nestjs-deepseek-pool-mock';
import { round } from '../lib/histogram.js';
import { percent, table } from '../lib/markdown.js';
import { runWhenMain } from '../lib/standalone.js';
import type { BenchSuite, ProfileName } from '../lib/suite.js';
import { SimulatedUpstream, type UpstreamQuota } from './simulated-upstream.js';

/** A cast of unequal keys and a demand, run on a virtual clock. */
interface Scenario {
  id: string;
  description: string;
  quotas: Array<Omit<UpstreamQuota, 'apiKey'> & { id: string }>;
  /** Virtual length of the run and of one tick; each tick sends its requests at once. */
  durationMs: number;
  tickMs: number;
  /** Offered tokens as a share of the binding capacity (per-minute or per-day). */
  demandShare: number;
  /**
   * Prompt and completion tokens of a request, drawn uniformly; `maxTokens` sent when set (else the pool assumes 1
   * 024).
   */
  promptTokens: [number, number];
  completionTokens: [number, number];
  maxTokens?: number;
}

interface Variant {
  name: string;
  strategy: StrategyName;
  /** Whether the pool is told each key's limits (the upstream enforces them either way). */
  limits: boolean;
  /** Pools the requests alternate between; with `shared`, one state store (Redis with no sync lag), else one each. */
  replicas: 1 | 2;
  shared?: boolean;
}

const SCENARIOS: readonly Scenario[] = [
  {
    id: 'tokens-per-minute',
    description:
      '5 keys at 800k / 500k / 350k / 200k / 100k tokens per minute; 95% of their sum offered for 10 min, ~50 requests at once every 2 s',
    quotas: [800_000, 500_000, 350_000, 200_000, 100_000].map((tpm, i) => ({
      id: `key-${i + 1}`,
      tokensPerMinute: tpm,
    })),
    durationMs: 10 * 60_000,
    tickMs: 2_000,
    demandShare: 0.95,
    promptTokens: [400, 1_600],
    completionTokens: [100, 500],
    maxTokens: 512,
  },
  ...[0.99, 1].map((share) => ({
    id: `tokens-per-minute, ${share * 100}% offered`,
    description: `the same keys; ${share * 100}% of their summed quota offered for 10 min, ~50 requests at once every 2 s: how much of the whole quota is used`,
    quotas: [800_000, 500_000, 350_000, 200_000, 100_000].map((tpm, i) => ({
      id: `key-${i + 1}`,
      tokensPerMinute: tpm,
    })),
    durationMs: 10 * 60_000,
    tickMs: 2_000,
    demandShare: share,
    promptTokens: [400, 1_600] as [number, number],
    completionTokens: [100, 500] as [number, number],
    maxTokens: 512,
  })),
  {
    id: 'tokens-per-minute, long answers',
    description:
      'the same keys; answers of 200..3 000 tokens and no max_tokens, so the estimate (prompt + 1 024) is often short; 95% offered, ~50 at once every 4 s',
    quotas: [800_000, 500_000, 350_000, 200_000, 100_000].map((tpm, i) => ({
      id: `key-${i + 1}`,
      tokensPerMinute: tpm,
    })),
    durationMs: 10 * 60_000,
    tickMs: 4_000,
    demandShare: 0.95,
    promptTokens: [400, 1_600],
    completionTokens: [200, 3_000],
  },
  {
    id: 'daily-budget',
    description:
      '5 keys with daily budgets of 7.5M / 5M / 3.5M / 2M / 0.7M tokens; 98% of their sum offered over the day, ~50 requests at once every 5 min',
    quotas: [7_500_000, 5_000_000, 3_500_000, 2_000_000, 700_000].map((budget, i) => ({
      id: `key-${i + 1}`,
      tokensPerDay: budget,
    })),
    durationMs: 86_400_000,
    tickMs: 300_000,
    demandShare: 0.98,
    promptTokens: [400, 1_600],
    completionTokens: [100, 500],
    maxTokens: 512,
  },
];

const VARIANTS: readonly Variant[] = [
  { name: 'round-robin, limits unknown', strategy: 'round-robin', limits: false, replicas: 1 },
  { name: 'round-robin, limits configured', strategy: 'round-robin', limits: true, replicas: 1 },
  { name: 'quota-aware, limits configured', strategy: 'quota-aware', limits: true, replicas: 1 },
  { name: 'quota-aware, 2 replicas, state per replica', strategy: 'quota-aware', limits: true, replicas: 2 },
  { name: 'quota-aware, 2 replicas, shared state', strategy: 'quota-aware', limits: true, replicas: 2, shared: true },
];

const SCALE: Record<ProfileName, number> = { smoke: 0.1, quick: 1, full: 1 };

interface Outcome {
  scenario: string;
  variant: string;
  offered: number;
  succeeded: number;
  successRate: number;
  /** Tokens served / what the keys allowed over the run. */
  utilization: number;
  upstream429: number;
  upstream402: number;
  /** Upstream attempts per offered request. */
  attemptsPerRequest: number;
  /** Share of each key's own capacity it served. */
  utilizationByKey: Record<string, number>;
}

export interface QuotaRoutingResult {
  scenarios: Array<{ id: string; description: string }>;
  outcomes: Outcome[];
}

/** Tokens the keys allow over the run. */
function capacityOf(scenario: Scenario, quota: Scenario['quotas'][number]): number {
  if (quota.tokensPerMinute !== undefined) return (quota.tokensPerMinute * scenario.durationMs) / 60_000;
  if (quota.tokensPerDay !== undefined) return quota.tokensPerDay;
  throw new Error(`quota ${quota.id} has neither tokensPerMinute nor tokensPerDay`);
}

async function simulate(scenario: Scenario, variant: Variant): Promise<Outcome> {
  const startMs = Date.UTC(2026, 0, 15);
  let nowMs = startMs;
  const clock = { now: () => nowMs };
  const quotas = scenario.quotas.map((q) => ({ ...q, apiKey: `sk-sim-${q.id}-0000000000` }));
  const upstream = new SimulatedUpstream(quotas, clock.now);
  const keys: KeyOptions[] = quotas.map((q) => ({
    id: q.id,
    apiKey: q.apiKey,
    baseUrl: 'http://upstream.invalid',
    ...(variant.limits
      ? {
          limits: {
            ...(q.tokensPerMinute ? { tokensPerMinute: q.tokensPerMinute } : {}),
            ...(q.tokensPerDay ? { tokensPerDay: q.tokensPerDay } : {}),
          },
        }
      : {}),
  }));
  const shared = variant.shared ? new MemoryStateStore() : undefined;
  const pools = Array.from({ length: variant.replicas }, (_, i) =>
    createDeepSeekPool({
      keys,
      strategy: variant.strategy,
      transport: upstream,
      clock,
      rng: mulberry32(11 + i),
      retry: { maxWaitForKeyMs: 0 },
      logger: false,
      health: { probe: false, validateOnStart: false },
      ...(shared ? { store: shared } : {}),
    }),
  );
  const demand = mulberry32(5);
  const draw = ([min, max]: [number, number]): number => min + Math.floor(demand() * (max - min + 1));
  const meanTokens =
    (scenario.promptTokens[0] +
      scenario.promptTokens[1] +
      scenario.completionTokens[0] +
      scenario.completionTokens[1]) /
    2;
  const capacity = scenario.quotas.reduce((sum, q) => sum + capacityOf(scenario, q), 0);
  const ticks = Math.round(scenario.durationMs / scenario.tickMs);
  const perTick = (capacity * scenario.demandShare) / ticks / meanTokens;
  let owed = 0;
  let offered = 0;
  let succeeded = 0;
  let attempts = 0;
  try {
    for (let tick = 0; tick < ticks; tick++) {
      nowMs = startMs + tick * scenario.tickMs;
      owed += perTick;
      const batch = Math.floor(owed);
      owed -= batch;
      const calls = Array.from({ length: batch }, (_, i) => {
        const request = {
          model: 'deepseek-v4-flash',
          messages: [{ role: 'user', content: 'x'.repeat(4 * draw(scenario.promptTokens)) }],
          bench_completion_tokens: draw(scenario.completionTokens),
          ...(scenario.maxTokens ? { max_tokens: scenario.maxTokens } : {}),
        };
        return pools[i % pools.length].pool.chat(request).then(
          (result) => {
            succeeded++;
            attempts += result.meta.attempts;
          },
          (error: unknown) => {
            attempts += attemptsOf(error).length;
          },
        );
      });
      offered += batch;
      await Promise.all(calls);
    }
  } finally {
    await Promise.all(pools.map((pool) => pool.close()));
  }
  const counts = upstream.counts;
  return {
    scenario: scenario.id,
    variant: variant.name,
    offered,
    succeeded,
    successRate: round(succeeded / offered, 4),
    utilization: round(counts.servedTokens / capacity, 4),
    upstream429: counts.rejected429,
    upstream402: counts.rejected402,
    attemptsPerRequest: round(attempts / offered, 3),
    utilizationByKey: Object.fromEntries(
      quotas.map((q) => [q.id, round((counts.tokensByKey[q.apiKey] ?? 0) / capacityOf(scenario, q), 3)]),
    ),
  };
}

/** Every variant on every scenario. Deterministic: seeded demand and pool rng, virtual clock. */
export async function runQuotaRouting(
  profile: ProfileName,
  log: (line: string) => void = () => undefined,
): Promise<QuotaRoutingResult> {
  const outcomes: Outcome[] = [];
  for (const base of SCENARIOS) {
    const scenario = { ...base, quotas: base.quotas.map((q) => scaleQuota(q, SCALE[profile])) };
    for (const variant of VARIANTS) {
      log(`${scenario.id}: ${variant.name}`);
      outcomes.push(await simulate(scenario, variant));
    }
  }
  return { scenarios: SCENARIOS.map(({ id, description }) => ({ id, description })), outcomes };
}

/** A smaller cast for smoke runs: every limit scaled by `factor`. */
function scaleQuota(quota: Scenario['quotas'][number], factor: number): Scenario['quotas'][number] {
  return {
    ...quota,
    ...(quota.tokensPerMinute ? { tokensPerMinute: Math.round(quota.tokensPerMinute * factor) } : {}),
    ...(quota.tokensPerDay ? { tokensPerDay: Math.round(quota.tokensPerDay * factor) } : {}),
  };
}

function render(result: QuotaRoutingResult): string {
  return result.scenarios
    .map((scenario) => {
      const rows = result.outcomes
        .filter((o) => o.scenario === scenario.id)
        .map((o) => [
          o.variant,
          percent(o.successRate, 2),
          percent(o.utilization, 1),
          o.upstream429,
          o.upstream402,
          o.attemptsPerRequest,
          Object.values(o.utilizationByKey)
            .map((u) => percent(u, 0))
            .join(' / '),
        ]);
      return [
        `**${scenario.id}**: ${scenario.description}. Virtual clock, seeded; the upstream enforces the limits whether the pool knows them or not; a request that finds no key is failed at once (\`retry.maxWaitForKeyMs: 0\`). "Shared state" is one store for both replicas with no sync lag (what the Redis store converges to within \`syncIntervalMs\`).`,
        '',
        table(
          ['routing', 'success', 'quota used', 'upstream 429', 'upstream 402', 'attempts / request', 'used per key'],
          rows,
        ),
      ].join('\n');
    })
    .join('\n\n');
}

const suite: BenchSuite<QuotaRoutingResult> = {
  id: 'quota-routing',
  title: 'Quota-aware routing vs round robin: success and quota used',
  order: 81,
  run: ({ profile, log }) => runQuotaRouting(profile, log),
  render,
  check: (result) => (result.outcomes.length === SCENARIOS.length * VARIANTS.length ? [] : ['missing outcomes']),
};
export default suite;

// `node bench/dist/replicas/quota-routing.bench.js [smoke|quick|full]` prints the figures as JSON.
runWhenMain(import.meta.url, runQuotaRouting);
