import { describe, expect, it } from '@jest/globals';
import { UpstreamError } from '../deepseek-pool.errors.js';
import { MAX_UPSTREAM_TEXT_CHARS, redactFailure } from './redact-failure.js';
import { Redactor } from './redactor.js';

const KEY = 'sk-failure-0123456789abcdefghijkl';
const redactor = new Redactor([KEY]);

describe('redactFailure', () => {
  it('redacts the message, the outcome text and the whole body, then cuts the texts', () => {
    const long = `${'x'.repeat(MAX_UPSTREAM_TEXT_CHARS - 20)} for key ${KEY}`;
    const error = new UpstreamError(
      `Upstream answered 500: ${long}`,
      { kind: 'http', status: 500, message: long },
      'k',
      {
        error: { message: long, type: 'api_error', param: KEY.slice(3) },
      },
    );
    const redacted = redactFailure(error, redactor);
    const everything = JSON.stringify([redacted.message, redacted.outcome, redacted.body]);
    expect(everything).not.toContain(KEY.slice(0, 12));
    expect(everything).not.toContain(KEY.slice(-12));
    expect(redacted.message.length).toBeLessThanOrEqual(MAX_UPSTREAM_TEXT_CHARS + 3);
    expect(redacted.outcome).toMatchObject({ kind: 'http', status: 500 });
    expect(redacted.body).toMatchObject({ error: { type: 'api_error', param: '***' } });
    expect(redacted.keyId).toBe('k');
  });

  it('redacts a protocol failure (malformed body quoting the key, error event)', () => {
    const error = new UpstreamError(
      'x',
      { kind: 'protocol', detail: `upstream body is not valid JSON: starting with "${KEY}"` },
      'k',
      undefined,
    );
    expect(redactFailure(error, redactor).outcome).toEqual({
      kind: 'protocol',
      detail: 'upstream body is not valid JSON: starting with "sk-...ijkl"',
    });
  });
});
