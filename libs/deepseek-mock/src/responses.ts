import type { BalanceInfo } from './account-limits.js';
import type { Answer } from './completion.js';
import type { InjectableStatus } from './types.js';

/** DeepSeek's error envelope (`code` is `invalid_request_error` whatever the status). */
export interface ErrorBody {
  error: { message: string; type: string; param: null; code: 'invalid_request_error' };
}

/** An error answer: HTTP status and DeepSeek's body. */
export interface MockError {
  status: number;
  body: ErrorBody;
}

export const SYSTEM_FINGERPRINT = 'fp_mock0000_prod0000';

function mockError(status: number, type: string, message: string): MockError {
  return { status, body: { error: { message, type, param: null, code: 'invalid_request_error' } } };
}

/** "****abcd": DeepSeek shows the last 4 characters of the rejected key. */
export function maskKey(key: string): string {
  return `****${key.slice(-4)}`;
}

export const errors = {
  invalidRequest: (message: string) => mockError(400, 'invalid_request_error', message),
  modelNotExist: () => mockError(400, 'invalid_request_error', 'Model Not Exist'),
  authentication: (key: string) =>
    mockError(401, 'authentication_error', `Authentication Fails, Your api key: ${maskKey(key)} is invalid`),
  insufficientBalance: () => mockError(402, 'unknown_error', 'Insufficient Balance'),
  notFound: (path: string) => mockError(404, 'invalid_request_error', `Not Found: ${path}`),
  unprocessable: (message: string) => mockError(422, 'invalid_request_error', message),
  rateLimit: () => mockError(429, 'rate_limit_error', 'Rate Limit Reached'),
  concurrency: (current: number, limit: number) =>
    mockError(
      429,
      'rate_limit_error',
      `Your current concurrency is ${current}, which exceeds your concurrency limit of ${limit} based on your remaining balance. Please top up your balance to restore your concurrency.`,
    ),
  serverError: () => mockError(500, 'api_error', 'Server Error'),
  overloaded: () => mockError(503, 'api_error', 'Server Overloaded'),
};

/** The error a key answers when told to answer `status` (always, in an outage, or drawn from its error rates). */
export function errorForStatus(status: InjectableStatus, key: string): MockError {
  switch (status) {
    case 401:
      return errors.authentication(key);
    case 402:
      return errors.insufficientBalance();
    case 429:
      return errors.rateLimit();
    case 500:
      return errors.serverError();
    case 503:
      return errors.overloaded();
  }
}

/** A non-streaming `chat.completion` body. */
export function completionBody(answer: Answer): object {
  const message =
    answer.reasoning === undefined
      ? { role: 'assistant', content: answer.content }
      : { role: 'assistant', content: answer.content, reasoning_content: answer.reasoning };
  return {
    id: answer.id,
    object: 'chat.completion',
    created: answer.created,
    model: answer.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: 'stop' }],
    usage: answer.usage,
    system_fingerprint: SYSTEM_FINGERPRINT,
  };
}

/** `GET /models`. */
export function modelsBody(models: readonly string[]): object {
  return { object: 'list', data: models.map((id) => ({ id, object: 'model', owned_by: 'deepseek' })) };
}

/** `GET /user/balance`: amounts as strings with two decimals; unavailable when the total is not positive. */
export function balanceBody(info: BalanceInfo): object {
  return {
    is_available: info.total > 0,
    balance_infos: [
      {
        currency: info.currency,
        total_balance: info.total.toFixed(2),
        granted_balance: info.granted.toFixed(2),
        topped_up_balance: info.toppedUp.toFixed(2),
      },
    ],
  };
}
