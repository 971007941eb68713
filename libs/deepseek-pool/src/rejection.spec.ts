import { describe, expect, it } from '@jest/globals';
import { rejection } from './rejection.js';

describe('rejection', () => {
  const error = new RangeError('out of range');

  it.each([
    ['an Error, as it is', error, error],
    ['a string, wrapped in an Error', 'plain text', new Error('plain text')],
    ['undefined, wrapped in an Error', undefined, new Error('undefined')],
  ])('rejects with %s', async (_case, thrown, expected) => {
    // Act
    const rejected = rejection(thrown);

    // Assert
    await expect(rejected).rejects.toEqual(expected);
  });
});
