import type { TransportRequest, TransportResponse } from '../transport/transport.js';

/** One step of a scripted SSE body: text to send, a pause, or a hang until the request is aborted. */
export type SseStep = string | { waitMs: number } | 'hang';

/** Test fixture: a scripted 200 `text/event-stream` reply that honours the request's abort signal. */
export function sseReply(steps: SseStep[], seen?: { aborted: boolean }) {
  return (request: TransportRequest): Promise<TransportResponse> =>
    Promise.resolve({
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      body: (async function* () {
        const encoder = new TextEncoder();
        for (const step of steps) {
          if (step === 'hang') await waitOrAbort(Infinity, request.signal, seen);
          else if (typeof step === 'string') yield encoder.encode(step);
          else await waitOrAbort(step.waitMs, request.signal, seen);
        }
      })(),
    });
}

function waitOrAbort(ms: number, signal: AbortSignal, seen?: { aborted: boolean }): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = Number.isFinite(ms) ? setTimeout(resolve, ms) : undefined;
    const onAbort = () => {
      if (seen) seen.aborted = true;
      clearTimeout(timer);
      reject(Object.assign(new Error('aborted'), { name: 'AbortError', code: 'ABORT_ERR' }));
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** An SSE `data:` event for a chunk with the given delta. */
export function chunkEvent(delta: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return `data: ${JSON.stringify({ id: 's1', object: 'chat.completion.chunk', model: 'deepseek-v4-flash', choices: [{ index: 0, delta, finish_reason: null }], ...extra })}\n\n`;
}

/** The final DeepSeek chunk: empty delta, finish_reason, usage. */
export function finalEvent(
  usage = {
    prompt_tokens: 5,
    completion_tokens: 3,
    total_tokens: 8,
    prompt_cache_hit_tokens: 0,
    prompt_cache_miss_tokens: 5,
  },
): string {
  return `data: ${JSON.stringify({ id: 's1', object: 'chat.completion.chunk', model: 'deepseek-v4-flash', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage })}\n\n`;
}

export const ROLE = chunkEvent({ role: 'assistant', content: '' });
export const DONE = 'data: [DONE]\n\n';
export const KEEP_ALIVE = ': keep-alive\n\n';
