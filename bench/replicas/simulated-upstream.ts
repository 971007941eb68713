import type { Transport, TransportRequest, TransportResponse } from 'nestjs-deepseek-pool';
import { asyncIterableOf } from '../lib/async-iterable.js';

/** What the upstream enforces for one key, whether or not the pool is told. */
export interface UpstreamQuota {
  apiKey: string;
  /** Tokens per sliding minute; over it: 429 without Retry-After (DeepSeek-like). */
  tokensPerMinute?: number;
  /** Tokens per run (a daily balance); spent: 402 Insufficient Balance. */
  tokensPerDay?: number;
}

interface KeyLedger {
  quota: UpstreamQuota;
  recent: Array<{ atMs: number; tokens: number }>;
  spent: number;
}

/** Counters of the simulated upstream. */
export interface UpstreamCounts {
  served: number;
  servedTokens: number;
  rejected429: number;
  rejected402: number;
  tokensByKey: Record<string, number>;
}

/**
 * An in-process upstream on a virtual clock: answers at once, enforces each key's quota from the usage it really
 * serves, and bills `bench_completion_tokens` (a field of the request) as the completion, so every variant of a run
 * is billed the same for the same request.
 */
export class SimulatedUpstream implements Transport {
  readonly counts: UpstreamCounts = { served: 0, servedTokens: 0, rejected429: 0, rejected402: 0, tokensByKey: {} };
  private readonly ledgers = new Map<string, KeyLedger>();

  constructor(
    quotas: readonly UpstreamQuota[],
    private readonly now: () => number,
  ) {
    for (const quota of quotas) this.ledgers.set(quota.apiKey, { quota, recent: [], spent: 0 });
  }

  request(request: TransportRequest): Promise<TransportResponse> {
    return new Promise((resolve) => resolve(this.answer(request))); // a throw in answer() rejects
  }

  private answer(request: TransportRequest): TransportResponse {
    const apiKey = request.headers.authorization.replace(/^Bearer /, '');
    const ledger = this.ledgers.get(apiKey);
    if (!ledger) throw new Error(`no quota for the key ${apiKey.slice(0, 8)}…`);
    const body = JSON.parse(request.body ?? '{}') as {
      messages: Array<{ content: string }>;
      bench_completion_tokens: number;
    };
    const nowMs = this.now();
    ledger.recent = ledger.recent.filter((entry) => entry.atMs > nowMs - 60_000);
    const minuteTokens = ledger.recent.reduce((sum, entry) => sum + entry.tokens, 0);
    const { tokensPerMinute, tokensPerDay } = ledger.quota;
    if (tokensPerDay !== undefined && ledger.spent >= tokensPerDay) {
      this.counts.rejected402++;
      return reply(402, {
        error: { message: 'Insufficient Balance', type: 'unknown_error', param: null, code: 'invalid_request_error' },
      });
    }
    if (tokensPerMinute !== undefined && minuteTokens >= tokensPerMinute) {
      this.counts.rejected429++;
      return reply(429, {
        error: { message: 'Rate Limit Reached', type: 'rate_limit_error', param: null, code: 'invalid_request_error' },
      });
    }
    const prompt = Math.ceil(body.messages.reduce((sum, m) => sum + m.content.length, 0) / 4);
    const total = prompt + body.bench_completion_tokens;
    ledger.recent.push({ atMs: nowMs, tokens: total });
    ledger.spent += total;
    this.counts.served++;
    this.counts.servedTokens += total;
    this.counts.tokensByKey[ledger.quota.apiKey] = (this.counts.tokensByKey[ledger.quota.apiKey] ?? 0) + total;
    return reply(200, {
      id: 'sim',
      object: 'chat.completion',
      model: 'deepseek-v4-flash',
      choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: prompt, completion_tokens: body.bench_completion_tokens, total_tokens: total },
    });
  }

  async close(): Promise<void> {}
}

function reply(status: number, body: unknown): TransportResponse {
  const bytes = new TextEncoder().encode(JSON.stringify(body));
  return {
    status,
    headers: { 'content-type': 'application/json' },
    body: asyncIterableOf(bytes),
  };
}
