import type { Transport, TransportRequest, TransportResponse } from './transport.js';

/**
 * A scripted reply: a status and a JSON body (sent once `until` settles, if given), a network error code, or a promise
 * the test settles.
 */
export type ScriptedReply =
  | { status: number; body?: unknown; headers?: Record<string, string>; until?: Promise<void> }
  | { networkError: string }
  | ((request: TransportRequest) => Promise<TransportResponse>);

/**
 * Test fixture: a Transport whose replies are scripted per API key. It stands in for the network only in
 * unit tests of the attempt loop; integration tests use real HTTP against the mock.
 */
export class ScriptedTransport implements Transport {
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

  callsTo(apiKey: string): number {
    return this.calls.filter((c) => c.apiKey === apiKey).length;
  }

  async request(request: TransportRequest): Promise<TransportResponse> {
    const apiKey = request.headers.authorization.replace(/^Bearer /, '');
    this.calls.push({
      apiKey,
      baseUrl: request.baseUrl,
      path: request.path,
      body: request.body ? JSON.parse(request.body) : undefined,
      headers: request.headers,
    });
    const replies = this.scripts.get(apiKey) ?? [{ status: 401, body: { error: { message: 'unknown key' } } }];
    const [reply] = replies.length > 1 ? replies.splice(0, 1) : replies;
    if (typeof reply === 'function') return reply(request);
    if ('networkError' in reply)
      throw Object.assign(new Error(`connect ${reply.networkError}`), { code: reply.networkError });
    await reply.until;
    return { status: reply.status, headers: reply.headers ?? {}, body: bytes(JSON.stringify(reply.body ?? {})) };
  }

  async close(): Promise<void> {}
}

async function* bytes(text: string): AsyncIterable<Uint8Array> {
  yield new TextEncoder().encode(text);
}

/** A minimal valid chat completion body. */
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

/** The DeepSeek error envelope. */
export function deepseekError(message: string, type = 'invalid_request_error'): Record<string, unknown> {
  return { error: { message, type, param: null, code: 'invalid_request_error' } };
}
