import { maskKey, redactSecrets } from './mask.js';

describe('maskKey', () => {
  it.each([
    ['sk-1234567890abcdef', 'sk-...cdef'],
    ['plain-token-9999', '...9999'],
    ['sk-short', 'sk-...'],
    ['', '...'],
  ])('masks %s as %s', (key, masked) => {
    expect(maskKey(key)).toBe(masked);
  });
});

describe('redactSecrets', () => {
  it('replaces every occurrence of every secret by its mask', () => {
    const text = 'key sk-aaaaaaaaaaaa1111 failed, then sk-bbbbbbbbbbbb2222 and sk-aaaaaaaaaaaa1111 again';
    expect(redactSecrets(text, ['sk-aaaaaaaaaaaa1111', 'sk-bbbbbbbbbbbb2222'])).toBe(
      'key sk-...1111 failed, then sk-...2222 and sk-...1111 again',
    );
  });
});
