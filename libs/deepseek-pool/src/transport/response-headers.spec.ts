import { describe, expect, it } from '@jest/globals';
import { firstHeaderValues } from './response-headers.js';

describe('firstHeaderValues', () => {
  it('keeps the first value of a repeated header', () => {
    // Act
    const headers = firstHeaderValues({ 'set-cookie': ['a=1', 'b=2'] });

    // Assert
    expect(headers).toEqual({ 'set-cookie': 'a=1' });
  });

  it('lower-cases names and stringifies numbers', () => {
    // Act
    const headers = firstHeaderValues({ 'Content-Length': 42, 'X-Request-Id': 'r1' });

    // Assert
    expect(headers).toEqual({ 'content-length': '42', 'x-request-id': 'r1' });
  });

  it('drops absent and non-text values', () => {
    // Act
    const headers = firstHeaderValues({ a: undefined, b: null, c: [], d: { nested: true } });

    // Assert
    expect(headers).toEqual({});
  });
});
