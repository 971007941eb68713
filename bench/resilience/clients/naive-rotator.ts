import { Agent, request } from 'undici';
import { CHAT_REQUEST } from '../../lib/chat-request.js';
import { type ChatClient, HttpStatusError, type RunKey } from './chat-client.js';

/** Every key answered 429 within the last `skipMs`. */
class AllKeysSkippedError extends Error {
  override readonly name = 'AllKeysSkipped';
  constructor() {
    super('every key is skipped after a 429');
  }
}

export interface NaiveOptions {
  maxAttempts: number;
  /** undici's headers and body timeouts (the body one resets on every byte, keep-alive blank lines included). */
  timeoutMs: number;
  /** How long a key is skipped after it answered 429. */
  skipMs: number;
}

/**
 * The key rotator people write by hand: round robin over the keys, skip a key for a minute after a 429,
 * and on any failure (status, network error, unreadable body) try the next key. No breaker, no error
 * classes, no latency awareness, no shared limits.
 */
export class NaiveRotator implements ChatClient {
  private next = 0;
  private readonly skippedUntil = new Map<RunKey, number>();
  private readonly dispatcher = new Agent();

  constructor(
    private readonly keys: readonly RunKey[],
    private readonly options: NaiveOptions,
  ) {}

  async chat(signal: AbortSignal): Promise<void> {
    let lastError: unknown = new AllKeysSkippedError();
    for (let attempt = 0; attempt < this.options.maxAttempts; attempt++) {
      const key = this.pick();
      if (!key) break;
      try {
        const response = await request(`${key.baseUrl}/chat/completions`, {
          dispatcher: this.dispatcher,
          method: 'POST',
          headers: { authorization: `Bearer ${key.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify(CHAT_REQUEST),
          signal,
          headersTimeout: this.options.timeoutMs,
          bodyTimeout: this.options.timeoutMs,
        });
        if (response.statusCode === 200) {
          await response.body.json();
          return;
        }
        await response.body.dump();
        if (response.statusCode === 429) this.skippedUntil.set(key, Date.now() + this.options.skipMs);
        lastError = new HttpStatusError(response.statusCode);
      } catch (error) {
        if (signal.aborted) throw error;
        lastError = error;
      }
    }
    throw lastError;
  }

  close(): Promise<void> {
    return this.dispatcher.destroy();
  }

  private pick(): RunKey | undefined {
    for (let tried = 0; tried < this.keys.length; tried++) {
      const key = this.keys[this.next++ % this.keys.length];
      if ((this.skippedUntil.get(key) ?? 0) <= Date.now()) return key;
    }
    return undefined;
  }
}
