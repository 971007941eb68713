import { ResponseTooLargeError } from './body-errors.js';
import { DEFAULT_EXCHANGE_LIMITS } from './exchange-limits.js';

/**
 * Incremental parser for `text/event-stream` (WHATWG HTML, "Parsing an event stream"), limited to what
 * OpenAI-style streams use: `data:` fields, comments and blank-line dispatch. `event:`, `id:` and `retry:`
 * are parsed and ignored. Bytes may be split anywhere, including inside a UTF-8 sequence or a CRLF pair.
 */

/**
 * One parsed event: a dispatched `data` payload (multi-line data joined with `\n`), a comment line
 * (`text` without the colon and one optional space, e.g. `keep-alive`), or the `data: [DONE]` terminator.
 */
export type SseEvent = { type: 'data'; data: string } | { type: 'comment'; text: string } | { type: 'done' };

/** How a stream ended: `truncated` is true when it stopped inside an event or line (the tail is discarded). */
export interface SseEnd {
  truncated: boolean;
}

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const DONE: SseEvent = Object.freeze({ type: 'done' });

/**
 * Stateful parser: feed chunks with `push`, then call `end` once when the byte stream ends. A line longer than
 * `maxLineBytes`, or an event whose data grows past it, throws ResponseTooLargeError before it is held.
 */
export class SseParser {
  private readonly decoder = new TextDecoder('utf-8');
  /** Bytes of the current, unterminated line received so far. */
  private lineBytes = 0;
  /** Text of the current line received so far (no terminator seen yet). */
  private partial = '';
  /** The previous chunk ended in CR: a leading LF of the next chunk belongs to that CRLF. */
  private skipLf = false;
  /** The data buffer of the event being built; undefined until its first `data` field. */
  private data: string | undefined = undefined;

  constructor(private readonly maxLineBytes = DEFAULT_EXCHANGE_LIMITS.maxSseLineBytes) {}

  /** Parses one chunk and returns the events it completed (often none, usually one). */
  push(bytes: Uint8Array): SseEvent[] {
    this.countLine(bytes);
    const events: SseEvent[] = [];
    const text = this.decoder.decode(bytes, { stream: true });
    if (text.length > 0) this.scan(text, events);
    return events;
  }

  /** Ends the stream. Per spec an unterminated event is discarded, never dispatched; `truncated` reports it. */
  end(): SseEnd {
    const tail = this.decoder.decode();
    const truncated = this.partial.length > 0 || tail.length > 0 || this.data !== undefined;
    this.partial = '';
    this.lineBytes = 0;
    this.skipLf = false;
    this.data = undefined;
    return { truncated };
  }

  private scan(text: string, events: SseEvent[]): void {
    let start = 0;
    if (this.skipLf) {
      this.skipLf = false;
      if (text.charCodeAt(0) === LF) start = 1;
    }
    let nextLf = text.indexOf('\n', start);
    let nextCr = text.indexOf('\r', start);
    while (nextLf !== -1 || nextCr !== -1) {
      const isCr = nextCr !== -1 && (nextLf === -1 || nextCr < nextLf);
      const end = isCr ? nextCr : nextLf;
      const piece = text.slice(start, end);
      this.line(this.partial.length === 0 ? piece : this.partial + piece, events);
      this.partial = '';
      start = end + 1;
      if (isCr) {
        if (start === text.length) this.skipLf = true;
        else if (nextLf === start) start++;
        nextCr = text.indexOf('\r', start);
      }
      if (nextLf !== -1 && nextLf < start) nextLf = text.indexOf('\n', start);
    }
    if (start < text.length) this.partial += text.slice(start);
  }

  private line(line: string, events: SseEvent[]): void {
    if (line.length === 0) {
      this.dispatch(events);
      return;
    }
    const colon = line.indexOf(':');
    if (colon === 0) {
      events.push({ type: 'comment', text: stripOneSpace(line, 1) });
      return;
    }
    const name = colon === -1 ? line : line.slice(0, colon);
    if (name !== 'data') return;
    const value = colon === -1 ? '' : stripOneSpace(line, colon + 1);
    this.data = this.data === undefined ? value : `${this.data}\n${value}`;
    if (this.data.length > this.maxLineBytes)
      throw new ResponseTooLargeError('SSE event', 'limits.maxSseLineBytes', this.maxLineBytes);
  }

  /** Tracks the bytes of the unterminated line on the raw bytes (before any text is built) and enforces the cap. */
  private countLine(bytes: Uint8Array): void {
    const lastEnd = Math.max(bytes.lastIndexOf(LF), bytes.lastIndexOf(CR));
    this.lineBytes = lastEnd === -1 ? this.lineBytes + bytes.length : bytes.length - lastEnd - 1;
    if (this.lineBytes > this.maxLineBytes)
      throw new ResponseTooLargeError('SSE line', 'limits.maxSseLineBytes', this.maxLineBytes);
  }

  private dispatch(events: SseEvent[]): void {
    const data = this.data;
    if (data === undefined) return;
    this.data = undefined;
    events.push(data === '[DONE]' ? DONE : { type: 'data', data });
  }
}

/** The rest of `line` from `from`, minus one leading space (the optional space after a colon). */
function stripOneSpace(line: string, from: number): string {
  return line.slice(line.charCodeAt(from) === SPACE ? from + 1 : from);
}

/**
 * Parses a byte stream into events; the generator's return value says whether the stream was cut mid-event.
 * Over `maxLineBytes` it throws ResponseTooLargeError and stops reading (the body is destroyed).
 */
export async function* parseSse(
  body: AsyncIterable<Uint8Array>,
  maxLineBytes?: number,
): AsyncGenerator<SseEvent, SseEnd, undefined> {
  const parser = new SseParser(maxLineBytes);
  for await (const chunk of body) {
    yield* parser.push(chunk);
  }
  return parser.end();
}
