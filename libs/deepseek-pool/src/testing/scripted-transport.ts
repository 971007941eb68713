import type { Transport, TransportRequest, TransportResponse } from '../transport/transport.js';

/**
 * A scripted reply: a status and a JSON body (sent once `until` settles, if given), a network error code, or a promise
 * the test settles.
 */
export type ScriptedReply =
  | { status: number; body?: unknown; headers?: Record<string, string>; until?: Promise<void> }
  | { networkError: string }
  | ((request: TransportRequest) => Promise<TransportResponse>);

/**
 * A Transport whose replies are scripted per API key, for unit tests of code that calls the pool without a network
 * (pass it as the `transport` option). A key without a script gets 401. Every request is recorded in `calls`.
 * Tests over real HTTP use the DeepSeek mock (`nestjs-deepseek-pool-mock`) instead.
 */
export class ScriptedTransport implements Transport {
  /** Every request, in order: the key, the URL parts, the parsed JSON body and the headers. */
  readonly calls: Array<{
    apiKey: string;
    baseUrl: string;
    path: string;
    body: unknown;
    headers: Record<string, string>;
  }> = [];
  private readonly scripts = new Map<string, ScriptedReply[]>();

  /** Replies for `apiKey`, in order; the last one repeats. */
  script(apiKey: string, ...replies: ScriptedReply[]): this {
    this.scripts.set(apiKey, replies);
    return this;
  }

  /** How many requests were sent with `apiKey`. */
  callsTo(apiKey: string): number {
    return this.calls.filter((c) => c.apiKey === apiKey).length;
  }

  /** Records the request and plays the next scripted reply for its key. Rejects with `code` for a network error. */
  async request(request: TransportRequest): Promise<TransportResponse> {
    const apiKey = request.headers.authorization.replace(/^Bearer /, '');
    this.calls.push({
      apiKey,
      baseUrl: request.baseUrl,
      path: request.path,
      body: request.body ? JSON.parse(request.body) : undefined,
      headers: request.headers,
    });
    const replies = this.scripts.get(apiKey) ?? [];
    const reply = (replies.length > 1 ? replies.shift() : replies[0]) ?? UNKNOWN_KEY;
    if (typeof reply === 'function') return reply(request);
    if ('networkError' in reply)
      throw Object.assign(new Error(`connect ${reply.networkError}`), { code: reply.networkError });
    await reply.until;
    return { status: reply.status, headers: reply.headers ?? {}, body: bytes(JSON.stringify(reply.body ?? {})) };
  }

  /** Nothing to close. */
  async close(): Promise<void> {}
}

const UNKNOWN_KEY: ScriptedReply = { status: 401, body: { error: { message: 'unknown key' } } };

/** The body as a byte stream (one chunk). */
function bytes(text: string): AsyncIterable<Uint8Array> {
  return new Blob([text]).stream();
}

/** A minimal valid chat completion body (deepseek-v4-flash, usage with cache tokens); `extra` overrides fields. */
export function completion(content = 'hello', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'cmpl-1',
    object: 'chat.completion',
    model: 'deepseek-v4-flash',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: {
      prompt_tokens: 10,
      completion_tokens: 5,
      total_tokens: 15,
      prompt_cache_hit_tokens: 4,
      prompt_cache_miss_tokens: 6,
    },
    ...extra,
  };
}

/** The DeepSeek error envelope `{ error: { message, type, param, code } }`. */
export function deepseekError(message: string, type = 'invalid_request_error'): Record<string, unknown> {
  return { error: { message, type, param: null, code: 'invalid_request_error' } };
}
