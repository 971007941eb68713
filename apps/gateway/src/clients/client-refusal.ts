import type { OpenAiErrorResponse } from '../errors/openai-error-response.js';
import { BUDGET_LIMITS, type Refusal } from './spend-window.js';

const PER: Record<Refusal['limit'], string> = {
  requestsPerMinute: 'requests per minute',
  tokensPerMinute: 'tokens per minute',
  tokensPerDay: 'tokens per UTC day',
  usdPerDay: 'USD per UTC day',
  usdPerMonth: 'USD per UTC month',
};

/**
 * A request the gateway refuses for its client before any upstream call, in the OpenAI envelope. Over a rate limit:
 * 429 `rate_limit_error` with `Retry-After` (whole seconds until the window frees) and `x-should-retry: true`. Over
 * a spend budget: 429 `insufficient_quota` (OpenAI's own answer to a spent quota) with `Retry-After` until the
 * budget renews and `x-should-retry: false`, so SDKs do not wait hours. A model the client may not use: 403.
 */
export class ClientRefusedError extends Error {
  constructor(readonly response: OpenAiErrorResponse) {
    super(response.body.error.message);
    this.name = 'ClientRefusedError';
  }

  static overLimit(client: string, refusal: Refusal): ClientRefusedError {
    const seconds = Math.max(1, Math.ceil(refusal.retryAfterMs / 1000));
    const budget = BUDGET_LIMITS.has(refusal.limit);
    const what = budget
      ? `spent its ${refusal.limit} budget (${refusal.max} ${PER[refusal.limit]})`
      : `reached its ${refusal.limit} limit (${refusal.max} ${PER[refusal.limit]})`;
    const message = `Client "${client}" ${what}; ${budget ? 'it renews' : 'retry'} in ${seconds} s`;
    return new ClientRefusedError({
      status: 429,
      headers: {
        'retry-after': String(seconds),
        'retry-after-ms': String(Math.max(1, Math.ceil(refusal.retryAfterMs))),
        'x-should-retry': String(!budget),
      },
      body: {
        error: {
          message,
          type: budget ? 'insufficient_quota' : 'rate_limit_error',
          param: null,
          code: budget ? 'client_budget_exceeded' : 'client_rate_limited',
        },
      },
    });
  }

  static modelNotAllowed(client: string, model: string): ClientRefusedError {
    return new ClientRefusedError({
      status: 403,
      headers: { 'x-should-retry': 'false' },
      body: {
        error: {
          message: `Client "${client}" may not use model "${model}"`,
          type: 'permission_error',
          param: 'model',
          code: 'model_not_allowed',
        },
      },
    });
  }
}
