import type { ClientRecord } from './client-spec.js';

const byRequest = new WeakMap<object, ClientRecord>();

/** Remembers which client a request authenticated as (set by the client-token guard, read by the chat route). */
export function attachClient(request: object, client: ClientRecord): void {
  byRequest.set(request, client);
}

/** The client a request authenticated as; undefined for GATEWAY_TOKENS and anonymous callers. */
export function clientOf(request: object): ClientRecord | undefined {
  return byRequest.get(request);
}
