/** DeepSeek's error envelope (`code` is `invalid_request_error` whatever the status). */
export interface ErrorBody {
  error: { message: string; type: string; param: null; code: 'invalid_request_error' };
}

/** An error answer: HTTP status and DeepSeek's body. */
export interface MockError {
  status: number;
  body: ErrorBody;
}

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
