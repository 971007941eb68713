import { describe, expect, it } from '@jest/globals';
import { joinUrl, splitBaseUrl } from './base-url.js';

describe('splitBaseUrl', () => {
  it.each([
    ['https://api.deepseek.com', 'https://api.deepseek.com', ''],
    ['https://api.deepseek.com/', 'https://api.deepseek.com', ''],
    ['https://api.deepseek.com/v1', 'https://api.deepseek.com', '/v1'],
    ['http://127.0.0.1:8080/proxy/deepseek/', 'http://127.0.0.1:8080', '/proxy/deepseek'],
    ['HTTP://Example.COM:80/beta', 'http://example.com', '/beta'],
  ])('splits %s into origin %s and path prefix "%s"', (baseUrl, origin, pathPrefix) => {
    // Act
    const target = splitBaseUrl(baseUrl);

    // Assert
    expect(target).toEqual({ origin, pathPrefix });
  });
});

describe('joinUrl', () => {
  it.each([
    ['https://api.deepseek.com', '/chat/completions', 'https://api.deepseek.com/chat/completions'],
    ['http://host:1/v1', '/chat/completions', 'http://host:1/v1/chat/completions'],
    ['http://host:1/v1/', '/models', 'http://host:1/v1/models'],
  ])('joins %s and %s', (baseUrl, path, expected) => {
    // Act
    const url = joinUrl(baseUrl, path);

    // Assert
    expect(url).toBe(expected);
  });
});
