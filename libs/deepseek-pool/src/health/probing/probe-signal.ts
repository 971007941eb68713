import type { DirectCallResult } from '../../transport/direct-call.js';
import { classify } from '../../resilience/classify.js';
import type { DisableReason } from '../../resilience/outcome.js';
import type { BalanceMode } from '../../options/probe-options.js';

/** What one probe answer says about its key. */
export type ProbeSignal =
  | { kind: 'success' }
  /** The key's own fault: 5xx, timeout, connection failure, broken body. */
  | { kind: 'failure' }
  /** Says nothing about the key's health: 429 (alive, limited), an endpoint the upstream lacks, a 4xx, an abort. */
  | { kind: 'neutral' }
  /** The key is dead or its account empty: 401 revoked, 402 insufficient balance, 403 forbidden. */
  | { kind: 'disable'; reason: DisableReason };

const SUCCESS: ProbeSignal = Object.freeze({ kind: 'success' });
const FAILURE: ProbeSignal = Object.freeze({ kind: 'failure' });
const NEUTRAL: ProbeSignal = Object.freeze({ kind: 'neutral' });

/** Statuses meaning "no such endpoint here": the probe cannot judge the key (e.g. an upstream without /models). */
const UNSUPPORTED: ReadonlySet<number> = new Set([404, 405, 501]);

/** Reads a probe answer with the same classification as traffic (`classify`), minus the endpoint-missing statuses. */
export function probeSignal(result: Pick<DirectCallResult, 'ok' | 'outcome' | 'status'>): ProbeSignal {
  if (result.ok) return SUCCESS;
  if (result.outcome === 'aborted' || result.outcome === 'local') return NEUTRAL;
  if (result.outcome !== 'http' || result.status === undefined) return FAILURE;
  if (UNSUPPORTED.has(result.status)) return NEUTRAL;
  const action = classify({ kind: 'http', status: result.status });
  if (action.type === 'disable') return { kind: 'disable', reason: action.reason };
  return action.type === 'breaker-failure' ? FAILURE : NEUTRAL;
}

/**
 * Whether a key's upstream serves DeepSeek's `GET /user/balance` (in `'auto'` mode: `https://api.deepseek.com`, with or
 * without `/v1`).
 */
export function hasBalanceEndpoint(baseUrl: string, mode: BalanceMode): boolean {
  if (mode !== 'auto') return mode;
  const url = new URL(baseUrl);
  return (
    url.protocol === 'https:' && url.host === 'api.deepseek.com' && (url.pathname === '/' || url.pathname === '/v1')
  );
}

/** `is_available` of a `GET /user/balance` body; undefined when the body is not a balance answer. */
export function balanceAvailable(body: unknown): boolean | undefined {
  const available = (body as { is_available?: unknown } | null | undefined)?.is_available;
  return typeof available === 'boolean' ? available : undefined;
}

/**
 * Wait before the next re-admission of a key disabled for balance on an upstream without a balance endpoint:
 * one interval, doubling with each re-admission that ended in another 402 (capped at 256 intervals).
 */
export function readmitDelayMs(readmissions: number, intervalMs: number): number {
  return intervalMs * 2 ** Math.min(readmissions, 8);
}
