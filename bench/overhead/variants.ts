import OpenAI from 'openai';
import { type ChatCompletionChunk, DeepSeekPoolService, resolveOptions } from 'nestjs-deepseek-pool';
import { Pool, request } from 'undici';
import { CHAT_REQUEST } from '../lib/chat-request.js';
import { firstContentOfSse } from './sse.js';

export interface Target {
  /** The mock's base URL. */
  url: string;
  /** Its keys (the fast scenario's 8): direct calls use the first, the pool all of them. */
  keys: string[];
}

/** One way of calling the mock. `call` resolves with the hrtime (ns) of the moment the variant measures to. */
export interface Variant {
  name: string;
  call(): Promise<bigint>;
  close(): Promise<void>;
}

const now = () => process.hrtime.bigint();

function hasContent(chunk: ChatCompletionChunk): boolean {
  const content = chunk.choices[0]?.delta.content;
  return typeof content === 'string' && content.length > 0;
}

function newPool(target: Target): DeepSeekPoolService {
  const keys = target.keys.map((apiKey, index) => ({ id: `fast-${index + 1}`, apiKey, baseUrl: target.url }));
  return new DeepSeekPoolService(resolveOptions({ keys, logger: false }));
}

/** The baseline: undici `request` on a keep-alive Pool, body parsed as JSON (what the pool does too). */
export function undiciChat(target: Target): Variant {
  const dispatcher = new Pool(target.url);
  const headers = { authorization: `Bearer ${target.keys[0]}`, 'content-type': 'application/json' };
  return {
    name: 'undici',
    async call() {
      const response = await request(`${target.url}/chat/completions`, { dispatcher, method: 'POST', headers, body: JSON.stringify(CHAT_REQUEST) });
      if (response.statusCode !== 200) throw new Error(`mock answered ${response.statusCode}`);
      await response.body.json();
      return now();
    },
    close: () => dispatcher.close(),
  };
}

/** The official `openai` client (v6, fetch inside), no retries. */
export function openAiChat(target: Target): Variant {
  const client = new OpenAI({ apiKey: target.keys[0], baseURL: target.url, maxRetries: 0 });
  return {
    name: 'openai',
    async call() {
      await client.chat.completions.create(CHAT_REQUEST);
      return now();
    },
    close: async () => undefined,
  };
}

/** `pool.chat` over the 8 keys with default options (p2c-ewma). */
export function poolChat(target: Target): Variant {
  const pool = newPool(target);
  return {
    name: 'pool',
    async call() {
      await pool.chat(CHAT_REQUEST);
      return now();
    },
    close: () => pool.onModuleDestroy(),
  };
}

/** A direct streamed request: the time of its first content delta (the rest is read before the next call). */
export function undiciStream(target: Target): Variant {
  const dispatcher = new Pool(target.url);
  const headers = { authorization: `Bearer ${target.keys[0]}`, 'content-type': 'application/json', accept: 'text/event-stream' };
  return {
    name: 'undici-sse',
    async call() {
      const body = JSON.stringify({ ...CHAT_REQUEST, stream: true });
      const response = await request(`${target.url}/chat/completions`, { dispatcher, method: 'POST', headers, body });
      if (response.statusCode !== 200) throw new Error(`mock answered ${response.statusCode}`);
      return firstContentOfSse(response.body, now);
    },
    close: () => dispatcher.close(),
  };
}

/** `pool.stream`: the time of the first chunk with content (the rest is read before the next call). */
export function poolStream(target: Target): Variant {
  const pool = newPool(target);
  return {
    name: 'pool-stream',
    async call() {
      let first: bigint | undefined;
      for await (const chunk of pool.stream(CHAT_REQUEST)) if (first === undefined && hasContent(chunk)) first = now();
      if (first === undefined) throw new Error('the stream had no content');
      return first;
    },
    close: () => pool.onModuleDestroy(),
  };
}

export const VARIANTS = { undici: undiciChat, openai: openAiChat, pool: poolChat, 'undici-sse': undiciStream, 'pool-stream': poolStream } as const;
export type VariantName = keyof typeof VARIANTS;
