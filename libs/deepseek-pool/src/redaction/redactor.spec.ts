import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { MIN_SECRET_RUN, REDACTED, Redactor } from './redactor.js';
import { echoArb, leakedRuns } from './secret-echoes.fixture.js';

const KEY = 'sk-0123456789abcdefghijklmnopqrstuv';
const TOKEN = 'gateway-client-token-7777';

describe('Redactor', () => {
  const redactor = new Redactor([KEY, TOKEN]);

  it.each([
    ['the whole key shows as its mask', `bad key ${KEY}.`, 'bad key sk-...stuv.'],
    ['a near-copy (last char dropped)', `key ${KEY.slice(0, -1)}`, `key ${REDACTED}`],
    ['a piece cut by a truncation', `...for api key ${KEY.slice(0, 20)}`, `...for api key ${REDACTED}`],
    ['a piece from the middle', `x${KEY.slice(5, 5 + MIN_SECRET_RUN)}y`, `x${REDACTED}y`],
    [
      '11 characters stay (shorter than a run)',
      `x${KEY.slice(5, 5 + MIN_SECRET_RUN - 1)}y`,
      `x${KEY.slice(5, 5 + MIN_SECRET_RUN - 1)}y`,
    ],
    ['JSON \\u00xx escapes', `key ${KEY.slice(0, 3)}\\u0030\\u0031${KEY.slice(5)}!`, `key ${REDACTED}!`],
    [
      'URL-encoding',
      `?key=${Array.from(KEY)
        .map((c) => `%${c.charCodeAt(0).toString(16)}`)
        .join('')}&x=1`,
      `?key=${REDACTED}&x=1`,
    ],
    ['a bearer token', `Authorization: Bearer ${TOKEN}`, 'Authorization: Bearer ...7777'],
    ['two secrets side by side', `${KEY}${TOKEN}`, REDACTED],
    ['text without a secret is unchanged', 'Server Error', 'Server Error'],
  ])('%s', (_, input, expected) => {
    expect(redactor.redact(input)).toBe(expected);
  });

  it('returns the very same string when nothing matched (no copy on the common path)', () => {
    const text = 'x'.repeat(1000);
    expect(redactor.redact(text)).toBe(text);
  });

  it('redacts before it truncates', () => {
    const text = `${'a'.repeat(180)} key ${KEY}`;
    expect(redactor.clip(text, 200)).toBe(`${'a'.repeat(180)} key sk-...stuv`);
    expect(redactor.clip(`${'a'.repeat(166)} key ${KEY}`, 200)).toBe(`${'a'.repeat(166)} key sk-...stuv`);
  });

  it('redacts strings and object keys deep in a JSON value, and keeps an unchanged value as is', () => {
    const body = { error: { message: `bad ${KEY}`, type: 'x', param: null, nested: [{ [TOKEN]: 1 }] } };
    expect(redactor.redactValue(body)).toEqual({
      error: { message: 'bad sk-...stuv', type: 'x', param: null, nested: [{ '...7777': 1 }] },
    });
    const clean = { error: { message: 'fine' } };
    expect(redactor.redactValue(clean)).toBe(clean);
  });

  it('learns secrets added later (keys added at run time) and ignores too short ones', () => {
    const later = new Redactor();
    later.add('short', undefined, 'sk-added-later-000000000');
    expect(later.redact('short sk-added-later-000000000')).toBe('short sk-...0000');
  });

  it('finds each of 2,000 secrets in a text (the scan skips positions by a bit filter of their runs)', () => {
    const secrets = Array.from(
      { length: 2000 },
      (_, i) => `sk-${i.toString(36).padStart(4, '0')}-${'q'.repeat(i % 9)}-abcdefgh`,
    );
    const many = new Redactor(secrets);
    for (const [i, secret] of secrets.entries())
      expect(many.redact(`#${i} ${secret.slice(1, 1 + MIN_SECRET_RUN)} end`)).toBe(`#${i} ${REDACTED} end`);
    expect(many.redact(`none here: ${'sk-zzzz-'.repeat(20)}`)).toBe(`none here: ${'sk-zzzz-'.repeat(20)}`);
  });

  it('redacts short secrets (6 to 11 characters) when whole', () => {
    expect(new Redactor(['sk-abcdef']).redact('key sk-abcdef!')).toBe('key sk-...f!');
  });

  it('property: whatever piece of a secret is echoed, however it is cut, escaped or embedded, no 12-character run survives', () => {
    fc.assert(
      fc.property(echoArb, ({ secret, piece, encoding: [, encode], container: [, wrap], before, after }) => {
        const text = wrap(encode(piece), before, after);
        const out = new Redactor([secret, TOKEN]).redact(text);
        expect(leakedRuns(out, secret)).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });

  it('property: a clipped text holds no run either, at any cut', () => {
    fc.assert(
      fc.property(echoArb, fc.nat({ max: 200 }), ({ secret, piece, encoding: [, encode], before }, max) => {
        expect(leakedRuns(new Redactor([secret]).clip(`${before}${encode(piece)}`, max), secret)).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });
});
