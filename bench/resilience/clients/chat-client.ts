import type { UpstreamKey } from '../../lib/portkey.js';

/** A named key of a run: its mock name, secret and base URL. */
export interface RunKey extends UpstreamKey {
  name: string;
}

/**
 * What the load generator drives: one chat completion of CHAT_REQUEST, resolved on success, rejected on any failure.
 */
export interface ChatClient {
  chat(signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** A non-2xx answer, named by its status so the error tally reads `HTTP 503`. */
export class HttpStatusError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
    this.name = `HTTP ${status}`;
  }
}
