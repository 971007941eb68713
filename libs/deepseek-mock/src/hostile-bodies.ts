import { okHeaders } from './faults.js';
import type { Exchange } from './http-io.js';
import type { KeyBehaviour } from './types.js';

const ROLE_EVENT =
  'data: {"id":"endless","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}\n\n';
const CONTENT_EVENT = `data: {"id":"endless","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"${'x'.repeat(1024)}"},"finish_reason":null}]}\n\n`;
/** The start of a line that never ends: a JSON answer, or a stream event, whose content string never closes. */
const OPEN_JSON =
  '{"id":"endless","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"';
const OPEN_EVENT = 'data: {"id":"endless","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"';

/** True when the key answers with a body that never ends. */
export function sendsEndlessBody(b: KeyBehaviour): boolean {
  return b.endlessBody === true || b.endlessLine === true;
}

/**
 * `endlessBody` / `endlessLine`: 200 headers, then 64 KiB writes (paced by the socket) until the client goes away.
 * A JSON answer, and a stream under `endlessLine`, is one line that never ends; a stream under `endlessBody` is
 * well-formed content events without end.
 */
export async function sendEndlessBody(ex: Exchange, b: KeyBehaviour, stream: boolean): Promise<void> {
  ex.head(200, okHeaders(stream));
  const events = stream && b.endlessLine !== true;
  await ex.write(stream ? ROLE_EVENT : OPEN_JSON);
  if (stream && !events) await ex.write(OPEN_EVENT);
  const piece = events ? CONTENT_EVENT.repeat(64) : 'x'.repeat(64 * 1024);
  while (!ex.connectionLost) await ex.write(piece);
}
