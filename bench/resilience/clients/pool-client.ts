import { type StrategyName, createDeepSeekPool } from 'nestjs-deepseek-pool';
import { CHAT_REQUEST } from '../../lib/chat-request.js';
import { benchPoolOptions } from '../settings.js';
import type { ChatClient, RunKey } from './chat-client.js';

/** This library, built without Nest (no prober: recovery comes from traffic and half-open probes only). */
export function poolClient(keys: readonly RunKey[], strategy: StrategyName): ChatClient {
  const { pool, close } = createDeepSeekPool({
    ...benchPoolOptions(strategy),
    keys: keys.map((key) => ({ id: key.name, apiKey: key.apiKey, baseUrl: key.baseUrl })),
  });
  return {
    async chat(signal) {
      await pool.chat(CHAT_REQUEST, { signal });
    },
    close,
  };
}
