import { maskKey } from './mask.js';

describe('maskKey', () => {
  it.each([
    ['sk-1234567890abcdef1', 'sk-...def1'],
    ['sk-1234567890abcdef', 'sk-...def'],
    ['plain-token-9999', '...999'],
    ['sk-abcdef', 'sk-...f'],
    ['sk-x', 'sk-...'],
    ['', '...'],
  ])('masks %s as %s', (key, masked) => {
    expect(maskKey(key)).toBe(masked);
  });

  it('never shows more than a fifth of a key, nor more than 4 characters', () => {
    for (let length = 0; length <= 64; length++) {
      const key = 'x'.repeat(length);
      const shown = maskKey(key).length - '...'.length;
      expect(shown).toBeLessThanOrEqual(Math.min(4, length / 5));
    }
  });
});
