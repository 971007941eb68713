import type { LoggerService } from '@nestjs/common';
import { NoValidKeyError } from '../../deepseek-pool.errors.js';
import type { DirectCallResult } from '../../transport/direct-call.js';
import type { DisableReason } from '../../resilience/outcome.js';
import type { ProbedPool } from './key-prober.js';
import type { BalanceMode } from '../../options/probe-options.js';
import { balanceAvailable, hasBalanceEndpoint, probeSignal } from './probe-signal.js';

/** What start-up validation found for one key. */
export type KeyVerdict =
  | { id: string; verdict: 'valid' }
  /** The upstream refused the key: it is disabled. */
  | { id: string; verdict: 'rejected'; reason: DisableReason; status: number }
  /** No clear answer (unreachable, timeout, 5xx, endpoint missing): the key stays in rotation. */
  | { id: string; verdict: 'unchecked'; detail: string };

export interface ValidationSettings {
  timeoutMs: number;
  balance: BalanceMode;
  /** Keys checked at once. */
  concurrency: number;
}

const REASON_TEXT: Record<DisableReason, string> = {
  revoked: 'revoked',
  'insufficient-balance': 'insufficient balance',
  forbidden: 'forbidden',
};

/** Checks one key: `GET /models`, then `GET /user/balance` where it exists (an empty account answers /models fine). */
export async function checkKey(pool: ProbedPool, id: string, settings: ValidationSettings): Promise<KeyVerdict> {
  const models = await pool.callKeyDirectly(id, { method: 'GET', path: '/models' }, settings.timeoutMs);
  const verdict = verdictOf(id, models);
  if (verdict.verdict !== 'valid' || !hasBalanceEndpoint(pool.baseUrlOf(id), settings.balance)) return verdict;
  const balance = await pool.callKeyDirectly(id, { method: 'GET', path: '/user/balance' }, settings.timeoutMs);
  if (balance.ok && balanceAvailable(balance.body) === false)
    return { id, verdict: 'rejected', reason: 'insufficient-balance', status: 402 };
  const refused = verdictOf(id, balance);
  return refused.verdict === 'rejected' ? refused : verdict;
}

/** Reads one answer: success is valid, 401/402/403 rejected, anything else unchecked. */
export function verdictOf(id: string, result: DirectCallResult): KeyVerdict {
  const signal = probeSignal(result);
  if (signal.kind === 'success') return { id, verdict: 'valid' };
  if (signal.kind === 'disable') return { id, verdict: 'rejected', reason: signal.reason, status: result.status ?? 0 };
  const detail =
    result.outcome === 'http' ? `HTTP ${result.status}` : result.outcome === 'network' ? 'unreachable' : result.outcome;
  return { id, verdict: 'unchecked', detail };
}

/** The one log line of start-up validation: ids, statuses and reasons only. */
export function startupSummary(verdicts: readonly KeyVerdict[]): { level: 'log' | 'warn'; message: string } {
  const rejected = verdicts.filter((v) => v.verdict === 'rejected');
  const unchecked = verdicts.filter((v) => v.verdict === 'unchecked');
  const total = verdicts.length;
  if (rejected.length === 0 && unchecked.length === 0)
    return { level: 'log', message: `All ${total} keys valid at start` };
  const parts: string[] = [];
  if (rejected.length > 0) parts.push(`${rejected.length} of ${total} keys rejected at start: ${describe(rejected)}`);
  if (unchecked.length > 0)
    parts.push(`${unchecked.length} of ${total} keys could not be checked (kept in rotation): ${describe(unchecked)}`);
  return { level: 'warn', message: parts.join('; ') };
}

/**
 * Checks every key once, concurrently (`settings.concurrency` at a time, each within `timeoutMs`); disables the
 * rejected ones and logs ONE summary line. Unreachable keys are never disabled. With `requireOne`, throws when no key
 * is valid.
 */
export async function validateKeysAtStart(
  pool: ProbedPool,
  settings: ValidationSettings & { requireOne: boolean },
  logger: LoggerService | undefined,
): Promise<KeyVerdict[]> {
  const ids = pool
    .snapshot()
    .keys.filter((key) => key.state !== 'disabled')
    .map((key) => key.id);
  const verdicts = await mapConcurrently(ids, settings.concurrency, (id) => checkKey(pool, id, settings));
  for (const v of verdicts) if (v.verdict === 'rejected') pool.disableKey(v.id, v.reason);
  const summary = startupSummary(verdicts);
  logger?.[summary.level](summary.message);
  if (settings.requireOne && !verdicts.some((v) => v.verdict === 'valid')) {
    throw new NoValidKeyError(describe(verdicts));
  }
  return verdicts;
}

function describe(verdicts: readonly KeyVerdict[]): string {
  return verdicts
    .map((v) => {
      if (v.verdict === 'rejected') return `${v.id} (${v.status} ${REASON_TEXT[v.reason]})`;
      if (v.verdict === 'unchecked') return `${v.id} (${v.detail})`;
      return `${v.id} (valid)`;
    })
    .join(', ');
}

async function mapConcurrently<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
