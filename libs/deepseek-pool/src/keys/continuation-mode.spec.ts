import { defaultContinuation } from './continuation-mode.js';

describe('default continuation', () => {
  it.each([
    ['https://api.deepseek.com', 'deepseek-prefix'],
    ['https://api.deepseek.com/v1', 'deepseek-prefix'],
    ['http://127.0.0.1:8000/v1', false],
    ['https://reseller.example/deepseek', false],
  ])('default continuation of %s is %s', (baseUrl, mode) => {
    expect(defaultContinuation(baseUrl)).toBe(mode);
  });
});
