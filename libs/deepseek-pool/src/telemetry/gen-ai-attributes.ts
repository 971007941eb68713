import type { Attributes } from '@opentelemetry/api';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, Usage } from '../chat.types.js';
import { DeepSeekPoolError, StreamInterruptedError, UpstreamError } from '../deepseek-pool.errors.js';
import { classify } from '../resilience/classify.js';
import type { Outcome } from '../resilience/outcome.js';

/** Attribute names: the OpenTelemetry GenAI client conventions, and the pool's own under `deepseek_pool.`. */
export const ATTR = {
  operation: 'gen_ai.operation.name',
  provider: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  stream: 'gen_ai.request.stream',
  maxTokens: 'gen_ai.request.max_tokens',
  temperature: 'gen_ai.request.temperature',
  topP: 'gen_ai.request.top_p',
  responseId: 'gen_ai.response.id',
  responseModel: 'gen_ai.response.model',
  finishReasons: 'gen_ai.response.finish_reasons',
  timeToFirstChunk: 'gen_ai.response.time_to_first_chunk',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  cacheReadTokens: 'gen_ai.usage.cache_read.input_tokens',
  reasoningTokens: 'gen_ai.usage.reasoning.output_tokens',
  tokenType: 'gen_ai.token.type',
  inputMessages: 'gen_ai.input.messages',
  outputMessages: 'gen_ai.output.messages',
  serverAddress: 'server.address',
  serverPort: 'server.port',
  errorType: 'error.type',
  httpStatus: 'http.response.status_code',
  keyId: 'deepseek_pool.key.id',
  account: 'deepseek_pool.account',
  attempt: 'deepseek_pool.attempt',
  attempts: 'deepseek_pool.attempts',
  continued: 'deepseek_pool.continued',
  outcome: 'deepseek_pool.outcome',
  action: 'deepseek_pool.action',
  cooldown: 'deepseek_pool.cooldown',
  degraded: 'deepseek_pool.degraded',
  keyState: 'deepseek_pool.key.state',
} as const;

/** What the pool learns about an answer from its body or its chunks. */
export interface ResponseSummary {
  id?: string;
  model?: string;
  /** By choice index. */
  finishReasons: Array<string | undefined>;
  usage?: Usage;
}

/** The sampling settings a request sets (absent ones are left out, as the conventions ask). */
export function requestAttributes(request: ChatCompletionRequest, stream: boolean): Attributes {
  const attributes: Attributes = {
    [ATTR.operation]: 'chat',
    [ATTR.requestModel]: request.model,
    [ATTR.stream]: stream,
  };
  const maxTokens = request.max_tokens ?? request.max_completion_tokens;
  if (typeof maxTokens === 'number') attributes[ATTR.maxTokens] = maxTokens;
  if (typeof request.temperature === 'number') attributes[ATTR.temperature] = request.temperature;
  if (typeof request.top_p === 'number') attributes[ATTR.topP] = request.top_p;
  return attributes;
}

/** Folds a chat completion or a stream chunk into `summary`. */
export function summarize(summary: ResponseSummary, payload: ChatCompletion | ChatCompletionChunk): void {
  if (typeof payload.id === 'string') summary.id ??= payload.id;
  if (typeof payload.model === 'string') summary.model ??= payload.model;
  // an upstream answer or chunk may lack what its type promises: read as it came
  for (const choice of payload.choices as ReadonlyArray<{ index?: number; finish_reason?: unknown }>) {
    if (typeof choice.finish_reason === 'string') summary.finishReasons[choice.index ?? 0] = choice.finish_reason;
  }
  if (payload.usage) summary.usage = payload.usage;
}

export function responseAttributes(summary: ResponseSummary): Attributes {
  const attributes: Attributes = {};
  if (summary.id !== undefined) attributes[ATTR.responseId] = summary.id;
  if (summary.model !== undefined) attributes[ATTR.responseModel] = summary.model;
  const reasons = summary.finishReasons.filter((reason) => reason !== undefined);
  if (reasons.length > 0) attributes[ATTR.finishReasons] = reasons;
  if (summary.usage) Object.assign(attributes, usageAttributes(summary.usage));
  return attributes;
}

/** DeepSeek's usage: prompt tokens include the cache hits (`prompt_cache_hit_tokens`), as `input_tokens` must. */
export function usageAttributes(usage: Usage): Attributes {
  const attributes: Attributes = {
    [ATTR.inputTokens]: usage.prompt_tokens,
    [ATTR.outputTokens]: usage.completion_tokens,
  };
  if (typeof usage.prompt_cache_hit_tokens === 'number')
    attributes[ATTR.cacheReadTokens] = usage.prompt_cache_hit_tokens;
  const reasoning = usage.completion_tokens_details?.reasoning_tokens;
  if (typeof reasoning === 'number') attributes[ATTR.reasoningTokens] = reasoning;
  return attributes;
}

/** `server.address` / `server.port` of a base URL (the port defaults by scheme). */
export function serverAttributes(baseUrl: string): Attributes {
  const url = new URL(baseUrl);
  return {
    [ATTR.serverAddress]: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    [ATTR.serverPort]: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
  };
}

/** `error.type` of one attempt: the pool's classification of what the upstream did. */
export function attemptErrorType(outcome: Outcome): string {
  const action = classify(outcome);
  switch (action.type) {
    case 'disable':
      return action.reason.replace('-', '_');
    case 'cooldown':
      return 'rate_limited';
    case 'saturated':
      return 'concurrency_limited';
    case 'return':
      return 'invalid_request';
    case 'abort':
      return 'aborted';
    case 'local-failure':
      return 'local_failure';
    case 'breaker-failure':
      return BREAKER_FAILURES[outcome.kind];
  }
}

const BREAKER_FAILURES: Readonly<Record<Outcome['kind'], string>> = {
  http: 'upstream_error',
  timeout: 'timeout',
  network: 'network_error',
  'empty-body': 'empty_body',
  protocol: 'protocol_error',
  aborted: 'aborted',
  local: 'local_failure',
};

/**
 * `error.type` of a pool call: the failed attempt's classification when the upstream's answer was returned, else the
 * pool error's code.
 */
export function callErrorType(error: unknown): string {
  if (error instanceof UpstreamError) return attemptErrorType(error.outcome);
  if (error instanceof StreamInterruptedError) return 'stream_interrupted';
  if (error instanceof DeepSeekPoolError) return error.code.toLowerCase();
  return '_OTHER';
}
