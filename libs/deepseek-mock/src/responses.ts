import type { BalanceInfo } from './account-limits.js';
import type { Answer } from './completion.js';
import { type MockError, errors } from './mock-errors.js';
import type { InjectableStatus } from './types.js';

export const SYSTEM_FINGERPRINT = 'fp_mock0000_prod0000';

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
