import type { Transport, TransportRequest, TransportResponse } from 'nestjs-deepseek-pool';
import { asyncIterableOf } from '../lib/async-iterable.js';

const COMPLETION = new TextEncoder().encode(
  JSON.stringify({
    id: 'bench',
    object: 'chat.completion',
    model: 'deepseek-v4-flash',
    choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
    usage: {
      prompt_tokens: 10,
      completion_tokens: 2,
      total_tokens: 12,
      prompt_cache_hit_tokens: 0,
      prompt_cache_miss_tokens: 10,
    },
  }),
);

/** A transport that answers every request at once with the same small completion: the pool's own cost, no network. */
export class CannedTransport implements Transport {
  request(_request: TransportRequest): Promise<TransportResponse> {
    return Promise.resolve({ status: 200, headers: {}, body: asyncIterableOf(COMPLETION) });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
