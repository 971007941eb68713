import type { Transport, TransportRequest, TransportResponse } from 'nestjs-deepseek-pool';
import { asyncIterableOf } from '../lib/async-iterable.js';

/** A chat completion shaped like the mock's (and DeepSeek's), about 470 bytes. */
const CANNED = new TextEncoder().encode(
  JSON.stringify({
    id: '00000000-0000-4000-8000-000000000001',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'deepseek-chat',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: 'Mock answer from fast-1 to: Hello, how are you?' },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: {
      prompt_tokens: 5,
      completion_tokens: 12,
      total_tokens: 17,
      prompt_tokens_details: { cached_tokens: 0 },
      prompt_cache_hit_tokens: 0,
      prompt_cache_miss_tokens: 5,
    },
    system_fingerprint: 'fp_mock0000_prod0000',
  }),
);

/** DeepSeek's error envelope for a 400 (what it answers to an invalid request). */
const CANNED_ERROR = new TextEncoder().encode(
  JSON.stringify({
    error: {
      message: 'Invalid max_tokens value, the valid range of max_tokens is [1, 8192]',
      type: 'invalid_request_error',
      param: null,
      code: 'invalid_request_error',
    },
  }),
);

/**
 * Answers every request at once with the canned completion, in-process: with it, a call costs only the
 * CPU of the code around the transport, so pool minus direct is the pool's own work, without network noise. Given
 * another `status`, it answers that with DeepSeek's error envelope: every attempt fails.
 */
export class StubTransport implements Transport {
  constructor(private readonly status = 200) {}

  request(request: TransportRequest): Promise<TransportResponse> {
    if (request.signal.aborted) return Promise.reject(new Error('aborted'));
    return Promise.resolve({
      status: this.status,
      headers: { 'content-type': 'application/json' },
      body: asyncIterableOf(this.status === 200 ? CANNED : CANNED_ERROR),
    });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * The stub transport answering only after `wait` (a round trip to another process): the same canned answer, but the
 * process sleeps between the request and its answer, as it does on a network, so caches and branch predictors go cold.
 */
export class WaitingStubTransport extends StubTransport {
  constructor(
    private readonly wait: () => Promise<void>,
    private readonly closeWait: () => Promise<void> = () => Promise.resolve(),
  ) {
    super();
  }

  override async request(request: TransportRequest): Promise<TransportResponse> {
    await this.wait();
    return super.request(request);
  }

  override close(): Promise<void> {
    return this.closeWait();
  }
}
