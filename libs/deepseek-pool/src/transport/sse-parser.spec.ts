import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ResponseTooLargeError } from './body-errors.js';
import { parseSse, SseParser, type SseEnd, type SseEvent } from './sse-parser.js';
import { asyncOf } from './byte-stream.fixture.js';

const encoder = new TextEncoder();

function feed(chunks: readonly Uint8Array[]): { events: SseEvent[]; end: SseEnd } {
  const parser = new SseParser();
  const events = chunks.flatMap((chunk) => parser.push(chunk));
  return { events, end: parser.end() };
}

function feedText(...chunks: string[]): { events: SseEvent[]; end: SseEnd } {
  return feed(chunks.map((chunk) => encoder.encode(chunk)));
}

function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const bounds = [0, ...[...cuts].sort((a, b) => a - b), bytes.length];
  return bounds.slice(1).map((end, i) => bytes.subarray(bounds[i], end));
}

function iterate(chunks: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  return asyncOf(chunks);
}

const data = (value: string): SseEvent => ({ type: 'data', data: value });
const comment = (text: string): SseEvent => ({ type: 'comment', text });
const done: SseEvent = { type: 'done' };

const chunk = (fields: string): string =>
  `{"id":"c1","object":"chat.completion.chunk","created":1760000000,"model":"deepseek-reasoner","system_fingerprint":"fp_1","choices":[{"index":0,${fields}}]}`;

const REASONING_CHUNKS = [
  chunk(
    '"delta":{"role":"assistant","content":null,"reasoning_content":""},"logprobs":null,"finish_reason":null}],"usage":null',
  ),
  chunk(
    '"delta":{"reasoning_content":"The user asks: what is 2+2?"},"logprobs":null,"finish_reason":null}],"usage":null',
  ),
  chunk('"delta":{"reasoning_content":" Simple arithmetic."},"logprobs":null,"finish_reason":null}],"usage":null'),
  chunk('"delta":{"content":"2 + 2 = 4"},"logprobs":null,"finish_reason":null}],"usage":null'),
  chunk(
    '"delta":{"content":""},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":20,"total_tokens":32,"prompt_cache_hit_tokens":0,"prompt_cache_miss_tokens":12,"completion_tokens_details":{"reasoning_tokens":14}}',
  ),
];

/** A DeepSeek reasoner stream under load: keep-alive comments first, usage on the final chunk. */
const REASONING_STREAM =
  ': keep-alive\n\n: keep-alive\n\n' +
  REASONING_CHUNKS.map((c, i) => `data: ${c}\n\n${i === 1 ? ': keep-alive\n\n' : ''}`).join('') +
  'data: [DONE]\n\n';

const UNICODE_CHUNKS = ['你好，世界！', '🚀🔥 emoji 👩‍💻', 'Ünïcödé ∑ 𝔘'].map((text) =>
  chunk(`"delta":{"content":${JSON.stringify(text)}},"logprobs":null,"finish_reason":null}],"usage":null`),
);

/** Chinese, emoji (4-byte and ZWJ sequences) and combining text: splits land inside UTF-8 sequences. */
const UNICODE_STREAM = UNICODE_CHUNKS.map((c) => `data: ${c}\n\n`).join('') + 'data: [DONE]\n\n';

/** CRLF line endings with the fields OpenAI-style streams ignore, a multi-line data field and a comment. */
const CRLF_STREAM =
  ': keep-alive\r\n\r\n' +
  'event: message\r\nid: 1\r\nretry: 3000\r\ndata: {"a":1}\r\n\r\n' +
  'data: line one\r\ndata: line two\r\n\r\n' +
  'data: [DONE]\r\n\r\n';

const FIXTURES: ReadonlyArray<[string, string, SseEvent[]]> = [
  [
    'reasoning stream',
    REASONING_STREAM,
    [
      comment('keep-alive'),
      comment('keep-alive'),
      data(REASONING_CHUNKS[0]),
      data(REASONING_CHUNKS[1]),
      comment('keep-alive'),
      ...REASONING_CHUNKS.slice(2).map(data),
      done,
    ],
  ],
  ['unicode stream', UNICODE_STREAM, [...UNICODE_CHUNKS.map(data), done]],
  ['CRLF stream', CRLF_STREAM, [comment('keep-alive'), data('{"a":1}'), data('line one\nline two'), done]],
];

describe('SseParser', () => {
  describe('line and field rules', () => {
    it.each<[string, string, SseEvent[]]>([
      ['dispatches on a blank line after LF endings', 'data: a\n\n', [data('a')]],
      ['dispatches on a blank line after CRLF endings', 'data: a\r\n\r\n', [data('a')]],
      ['dispatches on a blank line after lone CR endings', 'data: a\r\r', [data('a')]],
      ['accepts mixed line endings in one stream', 'data: a\r\ndata: b\rdata: c\n\r\n', [data('a\nb\nc')]],
      ['joins multi-line data fields with LF', 'data: a\ndata: b\n\n', [data('a\nb')]],
      ['strips exactly one space after the colon', 'data:  a\n\n', [data(' a')]],
      ['accepts a data field without the space', 'data:a\n\n', [data('a')]],
      ['keeps colons inside the value', 'data: {"k":"v: w"}\n\n', [data('{"k":"v: w"}')]],
      ['treats a bare "data" line as an empty value', 'data\n\n', [data('')]],
      ['dispatches an empty data field as an empty string', 'data:\n\n', [data('')]],
      ['emits comments at once, without waiting for a blank line', ': keep-alive\n', [comment('keep-alive')]],
      ['emits a comment without a space as is', ':ping\n', [comment('ping')]],
      ['ignores event, id and retry fields', 'event: x\nid: 7\nretry: 10\ndata: a\n\n', [data('a')]],
      ['dispatches nothing for an event without data', 'event: ping\nid: 1\n\n', []],
      ['matches field names case-sensitively', 'Data: a\n\n', []],
      ['dispatches nothing for runs of blank lines', '\n\n\r\n\r\r', []],
      ['maps data: [DONE] to done', 'data: [DONE]\n\n', [done]],
      ['keeps a data value that only contains [DONE] as data', 'data: [DONE]\ndata: x\n\n', [data('[DONE]\nx')]],
      ['strips a leading byte order mark', '\uFEFFdata: a\n\n', [data('a')]],
      ['parses events after done', 'data: [DONE]\n\ndata: a\n\n', [done, data('a')]],
    ])('%s', (_name, input, expected) => {
      // Act
      const { events } = feedText(input);

      // Assert
      expect(events).toEqual(expected);
    });
  });

  describe('chunk boundaries', () => {
    it('joins a line split mid-field', () => {
      // Arrange
      const chunks = ['da', 'ta: hel', 'lo\n', '\n'];

      // Act
      const { events } = feedText(...chunks);

      // Assert
      expect(events).toEqual([data('hello')]);
    });

    it('treats a CRLF split between chunks as one line ending', () => {
      // Arrange: a second LF-counted line ending would dispatch "a" alone.
      const chunks = ['data: a\r', '\ndata: b\r', '\n\r', '\n'];

      // Act
      const { events } = feedText(...chunks);

      // Assert
      expect(events).toEqual([data('a\nb')]);
    });

    it('treats a CR at a chunk end followed by a non-LF as a line ending', () => {
      // Act
      const { events } = feedText('data: a\r', 'data: b\r', '\r');

      // Assert
      expect(events).toEqual([data('a\nb')]);
    });

    it('decodes a multi-byte character split across chunks', () => {
      // Arrange: "🚀" is 4 bytes; split it after each byte.
      const bytes = encoder.encode('data: 🚀你\n\n');
      const chunks = splitAt(bytes, [7, 8, 9, 11]);

      // Act
      const { events } = feed(chunks);

      // Assert
      expect(events).toEqual([data('🚀你')]);
    });

    it('keeps a pending CRLF half across an empty chunk', () => {
      // Act
      const { events } = feedText('data: a\r', '', '\ndata: b\n\n');

      // Assert
      expect(events).toEqual([data('a\nb')]);
    });
  });

  describe('end of stream', () => {
    it.each<[string, string, SseEvent[], boolean]>([
      ['reports a clean end after a dispatched event', 'data: a\n\n', [data('a')], false],
      ['reports a clean end after done', 'data: [DONE]\n\n', [done], false],
      [
        'reports a clean end after a complete comment',
        'data: a\n\n: keep-alive\n',
        [data('a'), comment('keep-alive')],
        false,
      ],
      ['reports a clean end for an empty stream', '', [], false],
      ['discards an event missing its blank line and reports the cut', 'data: a\n', [], true],
      ['discards an unterminated line and reports the cut', 'data: a\n\ndata: {"b', [data('a')], true],
      ['reports a cut inside an unterminated comment', ': keep-al', [], true],
    ])('%s', (_name, input, expected, truncated) => {
      // Act
      const { events, end } = feedText(input);

      // Assert
      expect(events).toEqual(expected);
      expect(end).toEqual({ truncated });
    });

    it('reports a cut inside a multi-byte character', () => {
      // Arrange
      const bytes = encoder.encode('data: a\n\n你');

      // Act
      const { events, end } = feed([bytes.subarray(0, bytes.length - 1)]);

      // Assert
      expect(events).toEqual([data('a')]);
      expect(end.truncated).toBe(true);
    });
  });

  describe('recorded streams', () => {
    it.each(FIXTURES)('parses the %s into the expected events', (_name, stream, expected) => {
      // Act
      const { events, end } = feed([encoder.encode(stream)]);

      // Assert
      expect(events).toEqual(expected);
      expect(end.truncated).toBe(false);
    });

    it.each(FIXTURES)('parses the %s identically under any chunking', (_name, stream) => {
      // Arrange
      const bytes = encoder.encode(stream);
      const whole = feed([bytes]);
      const cuts = fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 64 });

      // Act / Assert
      fc.assert(
        fc.property(cuts, (positions) => {
          expect(feed(splitAt(bytes, positions))).toEqual(whole);
        }),
        { numRuns: 300 },
      );
    });

    it.each(FIXTURES)('parses the %s identically when fed byte by byte', (_name, stream) => {
      // Arrange
      const bytes = encoder.encode(stream);
      const everyByte = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);

      // Act
      const result = feed(splitAt(bytes, everyByte));

      // Assert
      expect(result).toEqual(feed([bytes]));
    });
  });
});

describe('parseSse', () => {
  it('yields the events of an async byte stream and returns how it ended', async () => {
    // Arrange
    const body = iterate(splitAt(encoder.encode(REASONING_STREAM), [5, 100, 101, 400]));
    const events: SseEvent[] = [];

    // Act
    const stream = parseSse(body);
    let step = await stream.next();
    for (; !step.done; step = await stream.next()) events.push(step.value);

    // Assert
    expect(events).toEqual(FIXTURES[0][2]);
    expect(step.value).toEqual({ truncated: false });
  });

  it('returns truncated when the body stops mid-event', async () => {
    // Arrange
    const body = iterate([encoder.encode('data: {"choices":[{"delta":{"content":"hal')]);

    // Act
    const stream = parseSse(body);
    const step = await stream.next();

    // Assert
    expect(step).toEqual({ done: true, value: { truncated: true } });
  });
});

describe('SseParser limits', () => {
  it('throws once one unterminated line grows past maxLineBytes', () => {
    // Arrange
    const parser = new SseParser(1_000);
    parser.push(encoder.encode('data: {"ok":1}\n\ndata: "'));
    const piece = encoder.encode('x'.repeat(400));

    // Act
    parser.push(piece);
    parser.push(piece);
    const third = () => parser.push(piece);

    // Assert
    expect(third).toThrow(ResponseTooLargeError);
  });

  it('counts only the bytes after the last line ending of a chunk', () => {
    // Arrange: many short lines add up to far more than the limit
    const parser = new SseParser(100);
    const events: SseEvent[] = [];

    // Act
    for (let i = 0; i < 50; i++) events.push(...parser.push(encoder.encode(`: keep-alive ${i}\n`)));

    // Assert
    expect(events).toHaveLength(50);
  });

  it('throws when one event grows past the limit in many short data lines', () => {
    // Arrange
    const parser = new SseParser(100);

    // Act
    const feed = () => {
      for (let i = 0; i < 20; i++) parser.push(encoder.encode('data: 0123456789\n'));
    };

    // Assert
    expect(feed).toThrow(/SSE event is over limits.maxSseLineBytes/);
  });

  it('stops reading an endless line through parseSse', async () => {
    // Arrange
    let returned = false;
    function* endless(): Generator<Uint8Array> {
      try {
        yield encoder.encode('data: {"choices":[{"delta":{"content":"');
        for (;;) yield encoder.encode('y'.repeat(4_096));
      } finally {
        returned = true;
      }
    }

    // Act
    const error = await (async () => {
      for await (const _event of parseSse(asyncOf(endless()), 64 * 1024));
    })().catch((e: unknown) => e);

    // Assert
    expect(error).toMatchObject({ code: 'RESPONSE_TOO_LARGE' });
    expect(returned).toBe(true);
  });
});
