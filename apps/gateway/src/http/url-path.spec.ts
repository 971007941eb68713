import { describe, expect, it } from '@jest/globals';
import { urlPath } from './url-path.js';

describe('urlPath', () => {
  it.each([
    ['/v1/chat/completions', '/v1/chat/completions'],
    ['/v1/chat/completions?x=1', '/v1/chat/completions'],
    ['/status/events?after=3&b=?', '/status/events'],
    ['/', '/'],
    ['/?', '/'],
  ])('%s -> %s', (url, path) => {
    expect(urlPath(url)).toBe(path);
  });
});
