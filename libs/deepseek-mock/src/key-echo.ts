import type { Exchange } from './http-io.js';
import { type ErrorBody, errors } from './mock-errors.js';

/** How an echoed key appears: whole, a near-copy (minus its last character), JSON `\u00xx`-escaped, URL-encoded. */
export const KEY_ECHO_FORMS = ['whole', 'near', 'json-escaped', 'url-encoded'] as const;
export type KeyEchoForm = (typeof KEY_ECHO_FORMS)[number];

/**
 * A misbehaving upstream that echoes the key it was called with (DeepSeek itself masks it): an error answer whose
 * message holds it (400 / 500, DeepSeek's JSON envelope or plain text), or a 200 whose body is not JSON and starts
 * with it.
 */
export interface KeyEcho {
  status: 200 | 400 | 500;
  /** The error as DeepSeek's JSON envelope (default) or as plain text. */
  body?: 'json' | 'text';
  form?: KeyEchoForm;
  /** Filler characters before the message, to push the key past a truncation. Default 0. */
  paddingChars?: number;
}

/** Streaming: after `afterChunks` text chunks (0: before any content), an error event whose message holds the key. */
export interface KeyEchoEvent {
  afterChunks: number;
  form?: KeyEchoForm;
}

/** The key as the echo shows it. */
export function echoedKey(key: string, form: KeyEchoForm = 'whole'): string {
  switch (form) {
    case 'whole':
      return key;
    case 'near':
      return key.slice(0, -1);
    case 'json-escaped':
      // JSON escapes UTF-16 code units (a character outside the BMP is two escapes)
      return Array.from({ length: key.length }, (_, i) => `\\u${key.charCodeAt(i).toString(16).padStart(4, '0')}`).join(
        '',
      );
    case 'url-encoded':
      // percent-encoding escapes UTF-8 bytes
      return Array.from(Buffer.from(key, 'utf8'), (b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
}

/** `quota exceeded for api key <key>` after the padding, the key in `form`. */
function echoText(key: string, form: KeyEchoForm | undefined, paddingChars = 0): string {
  return `${'x'.repeat(paddingChars)}quota exceeded for api key ${echoedKey(key, form)}`;
}

/** The message for a JSON body: a `json-escaped` key stays whole here and is escaped on the wire by `echoJson`. */
function echoMessage(key: string, form: KeyEchoForm | undefined, paddingChars = 0): string {
  return echoText(key, form === 'json-escaped' ? 'whole' : form, paddingChars);
}

/** `body` as JSON, a `json-escaped` key written as `\u00xx` escapes (a JSON decoder gets the key back). */
function echoJson(body: ErrorBody, key: string, form: KeyEchoForm | undefined): string {
  const json = JSON.stringify(body);
  return form === 'json-escaped' ? json.split(key).join(echoedKey(key, 'json-escaped')) : json;
}

/** The JSON of a stream's error event that echoes the key (DeepSeek's 500 envelope, the key in its message). */
export function keyEchoEvent(key: string, echo: KeyEchoEvent): string {
  const { body } = errors.serverError();
  return echoJson({ error: { ...body.error, message: echoMessage(key, echo.form) } }, key, echo.form);
}

/** Answers with the echo: DeepSeek's JSON envelope, a plain text error, or a 200 body that is not JSON. */
export function sendKeyEcho(ex: Exchange, key: string, echo: KeyEcho): void {
  const asJson = echo.status !== 200 && echo.body !== 'text';
  const wire = keyEchoBody(key, echo);
  ex.head(echo.status, {
    'content-type': asJson ? 'application/json' : 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(wire),
  });
  ex.res.end(wire);
}

function keyEchoBody(key: string, echo: KeyEcho): string {
  if (echo.status === 200) return `${echoedKey(key, echo.form)} is over its quota`;
  if (echo.body === 'text') return echoText(key, echo.form, echo.paddingChars);
  const type = echo.status === 400 ? 'invalid_request_error' : 'api_error';
  return echoJson(
    {
      error: {
        message: echoMessage(key, echo.form, echo.paddingChars),
        type,
        param: null,
        code: 'invalid_request_error',
      },
    },
    key,
    echo.form,
  );
}
