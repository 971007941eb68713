import { HttpException } from '@nestjs/common';
import {
  AttemptsExhaustedError,
  ClientStalledError,
  DegradedUnavailableError,
  PoolBreakerOpenError,
  InvalidOptionsError,
  DeadlineExceededError,
  InvalidRequestError,
  NoAvailableKeyError,
  type Redactor,
  RequestAbortedError,
  StreamInterruptedError,
  UnknownKeyError,
  UpstreamError,
  retryAfterSeconds,
} from 'nestjs-deepseek-pool';
import { ClientRefusedError } from '../clients/client-refusal.js';
import type { OpenAiErrorResponse } from './openai-error-response.js';

/**
 * Maps anything a route threw to the OpenAI error envelope. Retryable answers carry `Retry-After` (seconds)
 * and `retry-after-ms` when the pool knows when a key comes back, so the `openai` client waits exactly that long;
 * caller errors carry `x-should-retry: false`.
 */
export function toOpenAiError(error: unknown): OpenAiErrorResponse {
  if (error instanceof ClientRefusedError) return error.response;
  if (error instanceof DegradedUnavailableError) return degradedFallback(error);
  if (error instanceof PoolBreakerOpenError)
    return envelope(503, error.message, 'service_unavailable', null, 'pool_breaker_open', true, error.retryAfterMs);
  if (error instanceof InvalidRequestError)
    return envelope(400, error.message, 'invalid_request_error', error.field, 'invalid_request', false);
  if (error instanceof NoAvailableKeyError) {
    const status = error.rateLimited ? 429 : 503;
    return envelope(
      status,
      error.message,
      error.rateLimited ? 'rate_limit_error' : 'service_unavailable',
      null,
      'no_available_key',
      true,
      error.retryAfterMs,
    );
  }
  if (error instanceof AttemptsExhaustedError) {
    const upstream = error.lastError.status;
    const status = upstream === 429 ? 429 : upstream === 503 ? 503 : 502;
    return envelope(
      status,
      error.message,
      status === 429 ? 'rate_limit_error' : 'upstream_error',
      null,
      'attempts_exhausted',
      true,
      error.retryAfterMs,
    );
  }
  if (error instanceof DeadlineExceededError)
    return envelope(504, error.message, 'timeout', null, 'deadline_exceeded', true);
  if (error instanceof RequestAbortedError)
    return envelope(499, error.message, 'aborted', null, 'client_closed_request', false);
  if (error instanceof ClientStalledError)
    return envelope(499, error.message, 'aborted', null, 'client_stalled', false);
  if (error instanceof StreamInterruptedError)
    return envelope(502, error.message, 'upstream_error', null, 'stream_interrupted', true);
  if (error instanceof UpstreamError) return upstreamEnvelope(error);
  if (error instanceof InvalidOptionsError)
    return envelope(400, error.message, 'invalid_request_error', error.field, 'invalid_key_options', false);
  if (error instanceof UnknownKeyError) return envelope(404, error.message, 'not_found', null, 'unknown_key', false);
  if (error instanceof HttpException)
    return envelope(error.getStatus(), error.message, 'invalid_request_error', null, null, error.getStatus() >= 500);
  const status = clientStatusOf(error);
  if (status !== undefined)
    return envelope(status, bodyParserMessage(error), 'invalid_request_error', null, null, false);
  return envelope(500, 'Internal gateway error', 'server_error', null, null, true);
}

/** `toOpenAiError` as a client may see it: the body redacted of every secret (errors, SSE error events). */
export function clientError(error: unknown, redactor: Redactor): OpenAiErrorResponse {
  const mapped = toOpenAiError(error);
  return { ...mapped, body: redactor.redactValue(mapped.body) };
}

/**
 * The degradation layer's last tier, configured to answer as an error: its body, 503 and Retry-After, marked degraded.
 */
function degradedFallback(error: DegradedUnavailableError): OpenAiErrorResponse {
  return {
    status: error.status,
    headers: {
      'x-should-retry': 'true',
      'retry-after': String(retryAfterSeconds(error.retryAfterMs)),
      'x-deepseek-pool-degraded': error.degraded,
    },
    body: error.body as OpenAiErrorResponse['body'],
  };
}

/** A caller error the upstream reported (400, 422...): its status and envelope pass through as upstream sent them. */
function upstreamEnvelope(error: UpstreamError): OpenAiErrorResponse {
  const status = error.status ?? 502;
  const sent = (error.body as { error?: Partial<OpenAiErrorResponse['body']['error']> } | undefined)?.error ?? {};
  return {
    status,
    headers: { 'x-should-retry': 'false' },
    body: {
      error: {
        message: typeof sent.message === 'string' ? sent.message : error.message,
        type: typeof sent.type === 'string' ? sent.type : 'invalid_request_error',
        param: typeof sent.param === 'string' ? sent.param : null,
        code: typeof sent.code === 'string' ? sent.code : null,
      },
    },
  };
}

function envelope(
  status: number,
  message: string,
  type: string,
  param: string | null,
  code: string | null,
  retry: boolean,
  retryAfterMs?: number,
): OpenAiErrorResponse {
  const headers: Record<string, string> = { 'x-should-retry': String(retry) };
  if (retry && retryAfterMs !== undefined && Number.isFinite(retryAfterMs)) {
    headers['retry-after'] = String(retryAfterSeconds(retryAfterMs));
    headers['retry-after-ms'] = String(Math.max(1, Math.ceil(retryAfterMs)));
  }
  return { status, headers, body: { error: { message, type, param, code } } };
}

/** The 4xx status of a body-parser error (`status`) or a Fastify one (`statusCode`, e.g. an invalid Content-Type). */
function clientStatusOf(error: unknown): number | undefined {
  const { status, statusCode } = (error ?? {}) as { status?: unknown; statusCode?: unknown };
  const code = typeof status === 'number' ? status : statusCode;
  return typeof code === 'number' && code >= 400 && code < 500 ? code : undefined;
}

function bodyParserMessage(error: unknown): string {
  const type = (error as { type?: unknown }).type;
  if (type === 'entity.parse.failed') return 'The request body is not valid JSON';
  if (type === 'entity.too.large') return 'The request body is too large';
  return error instanceof Error ? error.message : 'Bad request';
}
