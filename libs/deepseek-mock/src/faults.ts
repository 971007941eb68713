import { type Exchange, JSON_HEADERS, SSE_HEADERS } from './http-io.js';
import type { MockError } from './mock-errors.js';
import type { KeepAliveTrickle, KeyBehaviour } from './types.js';

/** 200 headers for a JSON answer or an event stream. */
export function okHeaders(stream: boolean) {
  return stream ? SSE_HEADERS : JSON_HEADERS;
}

/** Sends DeepSeek's error envelope; `Retry-After` only when the key asks for it (DeepSeek never sends one). */
export function sendError(ex: Exchange, error: MockError, b: KeyBehaviour): void {
  ex.sendJson(error.status, error.body, error.status === 429 || error.status === 503 ? retryAfterHeaders(b) : {});
}

/**
 * The retry headers a key sends on 429 and 503: `retryAfterSeconds`, or the verbatim `retryAfterHeader` /
 * `retryAfterMsHeader`.
 */
function retryAfterHeaders(b: KeyBehaviour): Record<string, string> {
  const headers: Record<string, string> = {};
  const retryAfter =
    b.retryAfterHeader ?? (b.retryAfterSeconds === undefined ? undefined : String(b.retryAfterSeconds));
  if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
  if (b.retryAfterMsHeader !== undefined) headers['retry-after-ms'] = b.retryAfterMsHeader;
  return headers;
}

/** `hang` (never answer) or `headersThenStall` (200 headers, then nothing): true when the request stalls here. */
export function stall(ex: Exchange, b: KeyBehaviour, stream: boolean): boolean {
  if (b.headersThenStall) ex.head(200, okHeaders(stream), true);
  return b.hang === true || b.headersThenStall === true;
}

/** A 200 whose body is only blank lines, then the end (a reported DeepSeek failure). */
export async function sendBlankBody(ex: Exchange, stream: boolean): Promise<void> {
  ex.head(200, okHeaders(stream));
  await ex.write('\n\n\n');
  ex.end();
}

/**
 * DeepSeek's keep-alive under load (headers already sent): a `beat` every `intervalMs` until `afterMs`
 * (blank lines before JSON, `: keep-alive` comments in a stream).
 */
export async function trickle(ex: Exchange, k: KeepAliveTrickle, beat: string): Promise<void> {
  for (let waited = 0; waited < k.afterMs; waited += k.intervalMs) {
    await ex.write(beat);
    await ex.wait(Math.min(k.intervalMs, k.afterMs - waited));
  }
}
