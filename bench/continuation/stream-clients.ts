import { type ContinuationSettings, createDeepSeekPool } from 'nestjs-deepseek-pool';
import { Agent, request } from 'undici';
import { HttpStatusError, type RunKey } from '../resilience/clients/chat-client.js';
import { portkeyEndpoint } from '../resilience/clients/portkey-client.js';
import { ATTEMPT_TIMEOUT_MS, MAX_ATTEMPTS, benchPoolOptions } from '../resilience/settings.js';
import { readSseText } from './sse-text.js';

/** The request every stream sends (the cast answers it with its reference text). */
export const STREAM_REQUEST = {
  model: 'deepseek-chat',
  messages: [{ role: 'user' as const, content: 'Tell me about broken streams.' }],
  stream: true,
};

/**
 * One streamed answer as the caller got it: its text, upstream attempts, and how many of them continued it (the pool
 * only).
 */
export interface StreamAnswer {
  content: string;
  attempts: number;
  continuations: number;
}

/** A client under test: streams STREAM_REQUEST and resolves with what its caller would take, or rejects. */
export interface StreamClient {
  stream(signal: AbortSignal): Promise<StreamAnswer>;
  close(): Promise<void>;
}

export type StreamSystem = 'naive' | 'pool' | 'pool-no-continuation' | 'pool-4-continuations' | 'portkey';

export function streamClient(
  system: StreamSystem,
  keys: readonly RunKey[],
  portkeyUrl: string | undefined,
): StreamClient {
  switch (system) {
    case 'naive':
      return naiveStreams(keys);
    case 'pool':
      return poolStreams(keys, { enabled: true });
    case 'pool-no-continuation':
      return poolStreams(keys, { enabled: false });
    case 'pool-4-continuations':
      return poolStreams(keys, { enabled: true, maxAttempts: 4 });
    case 'portkey':
      if (!portkeyUrl) throw new Error('no Portkey gateway is running');
      return portkeyStreams(portkeyUrl, keys);
  }
}

/** This library with its defaults (bench time limits); the mock serves prefix completion on /beta like DeepSeek. */
function poolStreams(keys: readonly RunKey[], continuation: Partial<ContinuationSettings>): StreamClient {
  const { pool, close } = createDeepSeekPool({
    ...benchPoolOptions('p2c-ewma'),
    continuation,
    keys: keys.map((key) => ({
      id: key.name,
      apiKey: key.apiKey,
      baseUrl: key.baseUrl,
      continuation: 'deepseek-prefix',
    })),
  });
  return {
    async stream(signal) {
      const stream = pool.stream(STREAM_REQUEST, { signal });
      let content = '';
      for await (const chunk of stream) {
        const text = chunk.choices[0]?.delta.content;
        if (typeof text === 'string') content += text;
      }
      const meta = await stream.meta;
      return { content, attempts: meta.attempts, continuations: meta.continuations?.length ?? 0 };
    },
    close,
  };
}

/** The hand-written rotator, streaming: the next key on a failure before the body, nothing it can do after. */
function naiveStreams(keys: readonly RunKey[]): StreamClient {
  const dispatcher = new Agent();
  let next = 0;
  return {
    async stream(signal) {
      let lastError: unknown;
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const key = keys[next++ % keys.length];
        let response;
        try {
          response = await request(`${key.baseUrl}/chat/completions`, {
            dispatcher,
            method: 'POST',
            headers: { authorization: `Bearer ${key.apiKey}`, 'content-type': 'application/json' },
            body: JSON.stringify(STREAM_REQUEST),
            signal,
            headersTimeout: ATTEMPT_TIMEOUT_MS,
            bodyTimeout: ATTEMPT_TIMEOUT_MS,
          });
        } catch (error) {
          if (signal.aborted) throw error;
          lastError = error;
          continue;
        }
        if (response.statusCode !== 200) {
          await response.body.dump();
          lastError = new HttpStatusError(response.statusCode);
          continue;
        }
        return answerOf(await readSseText(response.body), attempt + 1);
      }
      throw lastError;
    },
    close: () => dispatcher.destroy(),
  };
}

/** Portkey's gateway with the bench's fallback + load-balance config over the same keys. */
function portkeyStreams(portkeyUrl: string, keys: readonly RunKey[]): StreamClient {
  const endpoint = portkeyEndpoint(portkeyUrl, keys);
  return {
    stream: async (signal) => answerOf(await readSseText(await endpoint.post(STREAM_REQUEST, signal))),
    close: () => endpoint.close(),
  };
}

/** A body without `[DONE]` is a broken answer, whatever text it carried. `attempts`: as far as the client knows. */
function answerOf(text: { content: string; done: boolean }, attempts = 1): StreamAnswer {
  if (!text.done) throw Object.assign(new Error('the stream ended without [DONE]'), { code: 'NO_DONE' });
  return { content: text.content, attempts, continuations: 0 };
}
