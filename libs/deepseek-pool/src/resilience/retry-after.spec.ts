import { describe, expect, it } from '@jest/globals';
import { cappedHint, parseRetryAfterMs } from './retry-after.js';

const NOW = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');

describe('parseRetryAfterMs', () => {
  it.each<[string, Record<string, string | undefined>, number | undefined]>([
    ['reads retry-after-ms as milliseconds', { 'retry-after-ms': '1500' }, 1500],
    ['reads a fractional retry-after-ms', { 'retry-after-ms': '1500.5' }, 1500.5],
    ['reads retry-after as seconds', { 'retry-after': '2' }, 2000],
    ['reads fractional retry-after seconds', { 'retry-after': '1.5' }, 1500],
    ['accepts a zero delay', { 'retry-after': '0' }, 0],
    ['tolerates surrounding whitespace', { 'retry-after': ' 3 ' }, 3000],
    ['prefers retry-after-ms over retry-after', { 'retry-after-ms': '250', 'retry-after': '9' }, 250],
    [
      'falls back to retry-after when retry-after-ms is garbage',
      { 'retry-after-ms': 'soon', 'retry-after': '3' },
      3000,
    ],
    ['reads an HTTP date relative to now', { 'retry-after': 'Wed, 21 Oct 2015 07:28:30 GMT' }, 30_000],
    ['reads an RFC 850 date relative to now', { 'retry-after': 'Wednesday, 21-Oct-15 07:29:00 GMT' }, 60_000],
    ['ignores an HTTP date in the past', { 'retry-after': 'Wed, 21 Oct 2015 07:27:00 GMT' }, undefined],
    ['ignores negative seconds', { 'retry-after': '-1' }, undefined],
    ['ignores negative milliseconds', { 'retry-after-ms': '-100' }, undefined],
    ['ignores exponent notation', { 'retry-after': '1e3' }, undefined],
    ['ignores Infinity', { 'retry-after': 'Infinity' }, undefined],
    ['ignores seconds too many for a number', { 'retry-after': '9'.repeat(400) }, undefined],
    ['ignores milliseconds too many for a number', { 'retry-after-ms': '9'.repeat(400), 'retry-after': '2' }, 2000],
    [
      'reads a huge finite value as it is (the pool caps it)',
      { 'retry-after': '99999999999999999999999' },
      Number('99999999999999999999999') * 1000,
    ],
    ['ignores text that a lenient date parser would accept', { 'retry-after': 'foo 1' }, undefined],
    ['ignores an empty header', { 'retry-after': '' }, undefined],
    ['gives undefined without the headers', {}, undefined],
    ['gives undefined for an explicitly missing header', { 'retry-after': undefined }, undefined],
  ])('%s', (_name, headers, expected) => {
    // Act
    const ms = parseRetryAfterMs(headers, NOW);

    // Assert
    expect(ms).toBe(expected);
  });
});

describe('cappedHint', () => {
  it.each<[string, number | undefined, number | undefined]>([
    ['keeps a hint under the cap', 2_000, 2_000],
    ['caps a hint of 11.6 days at the cap', 999_999_000, 300_000],
    ['caps a hint of 1e26 ms at the cap', 1e26, 300_000],
    ['drops an infinite hint', Infinity, undefined],
    ['drops NaN', Number.NaN, undefined],
    ['drops a negative hint', -1, undefined],
    ['keeps no hint as none', undefined, undefined],
  ])('%s', (_name, hintMs, expected) => {
    // Act
    const capped = cappedHint(hintMs, 300_000);

    // Assert
    expect(capped).toBe(expected);
  });
});
