import { Buffer } from 'node:buffer';
import { forEachChunk } from './chunked-body.js';
import { EmptyBodyError, MalformedBodyError, ResponseTooLargeError } from './body-errors.js';
import { DEFAULT_EXCHANGE_LIMITS } from './exchange-limits.js';

/** How much of a malformed body a MalformedBodyError quotes. */
const DETAIL_PREFIX_CHARS = 32;
const decoder = new TextDecoder('utf-8');

/**
 * Reads a non-streaming JSON body the DeepSeek way: leading whitespace (keep-alive blank lines) is skipped and the
 * rest is parsed as JSON; `onChunk` runs at every chunk, blank ones included (bytes arrived: the exchange is alive).
 * Throws EmptyBodyError for a body of only whitespace, MalformedBodyError for invalid JSON and ResponseTooLargeError
 * as soon as more than `maxBytes` arrived (whitespace included): the body is then dropped and its stream destroyed.
 */
export async function readJsonBody(
  body: AsyncIterable<Uint8Array>,
  onChunk?: () => void,
  maxBytes = DEFAULT_EXCHANGE_LIMITS.maxResponseBytes,
): Promise<unknown> {
  return parseJsonText(await readJsonText(body, onChunk, maxBytes));
}

/** `readJsonBody` without the parse: the text of the body from its first non-whitespace byte. */
export function readJsonText(
  body: AsyncIterable<Uint8Array>,
  onChunk?: () => void,
  maxBytes = DEFAULT_EXCHANGE_LIMITS.maxResponseBytes,
): Promise<string> {
  // Created with the first chunk of JSON, as a list of one: an empty list grows by 17 slots at its first push.
  let chunks: Uint8Array[] | undefined;
  let size = 0;
  const read = forEachChunk(body, (chunk) => {
    size += chunk.byteLength;
    if (size > maxBytes) throw new ResponseTooLargeError('body', 'limits.maxResponseBytes', maxBytes);
    onChunk?.();
    if (chunks !== undefined) {
      chunks.push(chunk);
      return;
    }
    const start = firstNonWhitespace(chunk);
    if (start !== -1) chunks = [start === 0 ? chunk : chunk.subarray(start)];
  });
  // A reaction, not an async function: the same microtask turns without an async function's frame per body.
  return read.then(() => {
    if (chunks === undefined) throw new EmptyBodyError();
    return decoder.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
  });
}

/** JSON.parse, with MalformedBodyError (the text's length and first characters) for invalid JSON. */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new MalformedBodyError(summarize(text));
  }
}

/** Index of the first byte that is not JSON whitespace (space, tab, LF, CR), or -1. */
function firstNonWhitespace(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return i;
  }
  return -1;
}

/** Length and a short prefix of a malformed body, for logs. */
function summarize(text: string): string {
  const head = text.length > DETAIL_PREFIX_CHARS ? `${text.slice(0, DETAIL_PREFIX_CHARS)}...` : text;
  return `${text.length} chars starting with ${JSON.stringify(head)}`;
}
