import { Pool, request } from 'undici';
import { CHAT_REQUEST } from '../../lib/chat-request.js';
import { portkeyConfig } from '../../lib/portkey.js';
import { ATTEMPT_TIMEOUT_MS } from '../settings.js';
import { type ChatClient, HttpStatusError, type RunKey } from './chat-client.js';

/** Requests through Portkey's gateway (another process) with the bench config over the run's keys. */
export function portkeyClient(portkeyUrl: string, keys: readonly RunKey[]): ChatClient {
  const dispatcher = new Pool(portkeyUrl);
  const headers = {
    'content-type': 'application/json',
    'x-portkey-config': JSON.stringify(portkeyConfig(keys, ATTEMPT_TIMEOUT_MS)),
  };
  return {
    async chat(signal) {
      const body = JSON.stringify(CHAT_REQUEST);
      const response = await request(`${portkeyUrl}/v1/chat/completions`, {
        dispatcher,
        method: 'POST',
        headers,
        body,
        signal,
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      if (response.statusCode !== 200) {
        await response.body.dump();
        throw new HttpStatusError(response.statusCode);
      }
      await response.body.json();
    },
    close: () => dispatcher.destroy(),
  };
}
