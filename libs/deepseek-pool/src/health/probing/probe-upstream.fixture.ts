import type { Transport, TransportRequest, TransportResponse } from '../../transport/transport.js';
import { bytesOf } from '../../transport/byte-stream.fixture.js';

/** How one endpoint answers: a status, a connection failure, or never (until the request is aborted). */
export type EndpointReply = number | 'network' | 'hang';

/** One key's behaviour per endpoint; `balance` true/false answers 200 with that `is_available`. */
export interface ProbeKeyBehaviour {
  models: EndpointReply;
  balance: EndpointReply | boolean;
  chat: EndpointReply;
  /** Content of a 200 chat answer. */
  content: string;
  /** A 200 chat answer arrives after this many ms (fake timers advance it). */
  chatDelayMs: number;
}

const HEALTHY: ProbeKeyBehaviour = { models: 200, balance: true, chat: 200, content: 'pong', chatDelayMs: 0 };

/**
 * Test fixture: an in-process upstream for prober unit tests, per API key and per endpoint
 * (`/models`, `/user/balance`, `/chat/completions`). Integration tests use the DeepSeek mock over real HTTP.
 */
export class ProbeUpstream implements Transport {
  readonly calls: Array<{ apiKey: string; path: string; model?: string }> = [];
  /** Requests currently unanswered. */
  inFlight = 0;
  private readonly keys = new Map<string, ProbeKeyBehaviour>();

  /** Changes a key's behaviour (unknown keys start healthy). */
  set(apiKey: string, patch: Partial<ProbeKeyBehaviour>): this {
    this.keys.set(apiKey, { ...(this.keys.get(apiKey) ?? HEALTHY), ...patch });
    return this;
  }

  callsTo(apiKey: string, path?: string): number {
    return this.calls.filter((c) => c.apiKey === apiKey && (path === undefined || c.path === path)).length;
  }

  async request(request: TransportRequest): Promise<TransportResponse> {
    const apiKey = request.headers.authorization.replace(/^Bearer /, '');
    const model = request.body === undefined ? undefined : (JSON.parse(request.body) as { model?: string }).model;
    this.calls.push({ apiKey, path: request.path, ...(model === undefined ? {} : { model }) });
    const behaviour = this.keys.get(apiKey) ?? HEALTHY;
    this.inFlight += 1;
    try {
      if (request.path === '/models')
        return await answer(
          behaviour.models,
          { object: 'list', data: [{ id: 'deepseek-v4-flash', object: 'model' }] },
          request.signal,
        );
      if (request.path === '/user/balance') {
        const reply = typeof behaviour.balance === 'boolean' ? 200 : behaviour.balance;
        return await answer(reply, { is_available: behaviour.balance !== false, balance_infos: [] }, request.signal);
      }
      await delay(behaviour.chatDelayMs, request.signal);
      return await answer(behaviour.chat, chatAnswer(behaviour.content), request.signal);
    } finally {
      this.inFlight -= 1;
    }
  }

  async close(): Promise<void> {}
}

async function answer(reply: EndpointReply, body: unknown, signal: AbortSignal): Promise<TransportResponse> {
  if (reply === 'network') throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  if (reply === 'hang')
    await new Promise((_, reject) => {
      signal.addEventListener('abort', () => reject(abortReason(signal)), { once: true });
    });
  const status = reply === 'hang' ? 200 : reply;
  const payload =
    status < 300
      ? body
      : { error: { message: `status ${status}`, type: 'test', param: null, code: 'invalid_request_error' } };
  return { status, headers: {}, body: bytesOf(JSON.stringify(payload)) };
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(abortReason(signal));
      },
      { once: true },
    );
  });
}

function chatAnswer(content: string): unknown {
  return {
    id: 'synthetic-1',
    object: 'chat.completion',
    model: 'deepseek-v4-flash',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 12, completion_tokens: 1, total_tokens: 13 },
  };
}

/** What an aborted signal carries (an AbortError DOMException unless the caller gave a reason). */
function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason));
}
