import { type ChatCompletion, type Usage, createDeepSeekPool } from 'nestjs-deepseek-pool';
import { DEFAULT_PRICING, DeepSeekMock, mulberry32 } from 'nestjs-deepseek-pool-mock';
import { round } from '../lib/histogram.js';
import { num, percent, table, verdict } from '../lib/markdown.js';
import { runWhenMain } from '../lib/standalone.js';
import type { BenchSuite, ProfileName } from '../lib/suite.js';

/** Multi-turn conversations: every turn resends the whole history plus one new question. */
interface Workload {
  conversations: number;
  turns: number;
  /** Characters of each question (the mock counts 4 characters per token). */
  questionChars: number;
}

interface Variant {
  name: string;
  /** Keys 1..n, each on its own DeepSeek account (the context cache is per account). */
  keys: number;
  affinity: boolean;
  /** Key 2 answers 503 from the first third of the turns to the second third (its account's cache stays). */
  outage?: boolean;
}

const WORKLOADS: Record<ProfileName, Workload> = {
  smoke: { conversations: 6, turns: 4, questionChars: 400 },
  quick: { conversations: 40, turns: 12, questionChars: 800 },
  full: { conversations: 40, turns: 12, questionChars: 800 },
};

const VARIANTS: readonly Variant[] = [
  { name: 'single key', keys: 1, affinity: false },
  { name: '4 accounts, no affinity', keys: 4, affinity: false },
  { name: '4 accounts, affinity', keys: 4, affinity: true },
  {
    name: '4 accounts, no affinity, one account down for a third of the turns',
    keys: 4,
    affinity: false,
    outage: true,
  },
  { name: '4 accounts, affinity, one account down for a third of the turns', keys: 4, affinity: true, outage: true },
];

interface Outcome {
  variant: string;
  requests: number;
  failed: number;
  promptTokens: number;
  cacheHitTokens: number;
  hitRatio: number;
  /** USD of every answer at DeepSeek's prices (the mock's: cache hit / miss / output per million). */
  costUsd: number;
}

export interface CacheAffinityResult {
  workload: Workload;
  pricing: typeof DEFAULT_PRICING;
  outcomes: Outcome[];
}

const apiKey = (i: number): string => `sk-affinity-bench-${String(i).padStart(8, '0')}`;

function question(conversation: number, turn: number, chars: number): string {
  const head = `Conversation ${conversation}, question ${turn}: `;
  return head + 'lorem ipsum dolor sit amet '.repeat(Math.ceil(chars / 27)).slice(0, chars - head.length);
}

function costOf(usage: Usage): number {
  const hit = usage.prompt_cache_hit_tokens ?? 0;
  const miss = usage.prompt_cache_miss_tokens ?? usage.prompt_tokens - hit;
  return (
    (hit * DEFAULT_PRICING.cacheHitPerM +
      miss * DEFAULT_PRICING.inputPerM +
      usage.completion_tokens * DEFAULT_PRICING.outputPerM) /
    1e6
  );
}

/** Runs every conversation turn by turn (all conversations' turn n at once) through a pool on a fresh mock. */
async function simulate(workload: Workload, variant: Variant): Promise<Outcome> {
  const mock = new DeepSeekMock({
    defaults: { latencyMs: 1 },
    keys: Array.from({ length: variant.keys }, (_, i) => ({ key: apiKey(i + 1), name: `k${i + 1}` })),
  }); // each key its own account
  const { url } = await mock.start({ port: 0 });
  const { pool, close } = createDeepSeekPool({
    keys: Array.from({ length: variant.keys }, (_, i) => ({
      id: `k${i + 1}`,
      apiKey: apiKey(i + 1),
      baseUrl: url,
      account: `acct-${i + 1}`,
    })),
    ...(variant.affinity ? { affinity: 'user' as const } : {}),
    rng: mulberry32(7),
    logger: false,
    health: { probe: false, validateOnStart: false },
  });
  const histories = Array.from(
    { length: workload.conversations },
    () => [] as Array<{ role: 'user' | 'assistant'; content: string }>,
  );
  const outcome: Outcome = {
    variant: variant.name,
    requests: 0,
    failed: 0,
    promptTokens: 0,
    cacheHitTokens: 0,
    hitRatio: 0,
    costUsd: 0,
  };
  try {
    for (let turn = 0; turn < workload.turns; turn++) {
      if (variant.outage && turn === Math.floor(workload.turns / 3)) mock.setKey('k2', { status: 503 });
      if (variant.outage && turn === Math.floor((2 * workload.turns) / 3)) mock.setKey('k2', { status: null });
      await Promise.all(
        histories.map(async (history, conversation) => {
          history.push({ role: 'user', content: question(conversation, turn, workload.questionChars) });
          outcome.requests++;
          let answer: ChatCompletion;
          try {
            answer = (
              await pool.chat({
                model: 'deepseek-v4-flash',
                messages: history,
                user: `conversation-${conversation}`,
                max_tokens: 200,
              })
            ).data;
          } catch {
            outcome.failed++;
            history.pop();
            return;
          }
          history.push({ role: 'assistant', content: String(answer.choices[0]?.message.content ?? '') });
          const usage = answer.usage;
          if (!usage) throw new Error('the mock answered without usage');
          outcome.promptTokens += usage.prompt_tokens;
          outcome.cacheHitTokens += usage.prompt_cache_hit_tokens ?? 0;
          outcome.costUsd += costOf(usage);
        }),
      );
    }
  } finally {
    await close();
    await mock.close();
  }
  return {
    ...outcome,
    hitRatio: round(outcome.cacheHitTokens / outcome.promptTokens, 4),
    costUsd: round(outcome.costUsd, 6),
  };
}

/** Every variant on one workload. Deterministic: the mock's cache and token counts, seeded routing. */
export async function runCacheAffinity(
  profile: ProfileName,
  log: (line: string) => void = () => undefined,
): Promise<CacheAffinityResult> {
  const workload = WORKLOADS[profile];
  const outcomes: Outcome[] = [];
  for (const variant of VARIANTS) {
    log(`cache affinity: ${variant.name}`);
    outcomes.push(await simulate(workload, variant));
  }
  return { workload, pricing: DEFAULT_PRICING, outcomes };
}

function byName(result: CacheAffinityResult, name: string): Outcome {
  const outcome = result.outcomes.find((o) => o.variant === name);
  if (!outcome) throw new Error(`no outcome for the variant ${name}`);
  return outcome;
}

function render(result: CacheAffinityResult): string {
  const single = byName(result, 'single key');
  const spread = byName(result, '4 accounts, no affinity');
  const failover = byName(result, '4 accounts, affinity, one account down for a third of the turns');
  const spreadFailover = byName(result, '4 accounts, no affinity, one account down for a third of the turns');
  const rows = result.outcomes.map((o) => [
    o.variant,
    o.requests,
    o.failed,
    percent(o.hitRatio, 1),
    percent(o.hitRatio / single.hitRatio, 1),
    `$${num(o.costUsd, 4)}`,
    percent(o.costUsd / spread.costUsd - 1, 1),
  ]);
  const { conversations, turns, questionChars } = result.workload;
  const p = result.pricing;
  return [
    `${conversations} conversations of ${turns} turns (each turn resends the history plus a ${questionChars}-character question, \`max_tokens\` 200; all conversations' turn n at once) through \`DeepSeekPoolService\` over HTTP to the DeepSeek mock, whose context cache is per account and bills the longest cached message prefix as cache hits. Prices: $${p.cacheHitPerM} cache hit, $${p.inputPerM} miss, $${p.outputPerM} output per million tokens. Affinity is \`affinity: 'user'\` (one \`user\` per conversation). "One account down": key 2 answers 503 from turn ${Math.floor(turns / 3) + 1} to turn ${Math.floor((2 * turns) / 3)}, then recovers (its cache kept). Counts and tokens, not timings: the figures do not depend on machine speed.`,
    '',
    table(['routing', 'requests', 'failed', 'cache-hit ratio', 'of single key', 'cost', 'cost vs no affinity'], rows),
    '',
    `Affinity while an account fails over keeps ${percent(failover.hitRatio / single.hitRatio, 1)} of the single-key hit ratio (target >= 95%: ${verdict(failover.hitRatio / single.hitRatio >= 0.95)}) and costs ${percent(1 - failover.costUsd / spreadFailover.costUsd, 1)} less than the same failover without affinity.`,
  ].join('\n');
}

const suite: BenchSuite<CacheAffinityResult> = {
  id: 'cache-affinity',
  title: 'Prompt-cache affinity: cache-hit ratio and cost of multi-turn conversations',
  order: 82,
  run: ({ profile, log }) => runCacheAffinity(profile, log),
  render,
  check: (result) =>
    result.outcomes.length === VARIANTS.length && result.outcomes.every((o) => o.promptTokens > 0)
      ? []
      : ['missing outcomes'],
};
export default suite;

// `node bench/dist/affinity/cache-affinity.bench.js [smoke|quick|full]` prints the figures as JSON.
runWhenMain(import.meta.url, runCacheAffinity);
