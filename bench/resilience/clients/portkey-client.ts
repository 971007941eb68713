import { type Dispatcher, Pool, request } from 'undici';
import { CHAT_REQUEST } from '../../lib/chat-request.js';
import { portkeyConfig } from '../../lib/portkey.js';
import { ATTEMPT_TIMEOUT_MS } from '../settings.js';
import { type ChatClient, HttpStatusError, type RunKey } from './chat-client.js';

/** A Portkey gateway's chat completions endpoint with the bench config over `keys`. */
export interface PortkeyEndpoint {
  /** Sends `body`; resolves with the body of a 200 answer, throws HttpStatusError (body dumped) on any other status. */
  post(body: unknown, signal: AbortSignal): Promise<Dispatcher.ResponseData['body']>;
  close(): Promise<void>;
}

/** Portkey's gateway (another process) with the bench's fallback + load-balance config over the run's keys. */
export function portkeyEndpoint(portkeyUrl: string, keys: readonly RunKey[]): PortkeyEndpoint {
  const dispatcher = new Pool(portkeyUrl);
  const headers = {
    'content-type': 'application/json',
    'x-portkey-config': JSON.stringify(portkeyConfig(keys, ATTEMPT_TIMEOUT_MS)),
  };
  return {
    async post(body, signal) {
      const response = await request(`${portkeyUrl}/v1/chat/completions`, {
        dispatcher,
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal,
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      if (response.statusCode !== 200) {
        await response.body.dump();
        throw new HttpStatusError(response.statusCode);
      }
      return response.body;
    },
    close: () => dispatcher.destroy(),
  };
}

/** Requests through Portkey's gateway, each answer read as JSON. */
export function portkeyClient(portkeyUrl: string, keys: readonly RunKey[]): ChatClient {
  const endpoint = portkeyEndpoint(portkeyUrl, keys);
  return {
    async chat(signal) {
      await (await endpoint.post(CHAT_REQUEST, signal)).json();
    },
    close: () => endpoint.close(),
  };
}
