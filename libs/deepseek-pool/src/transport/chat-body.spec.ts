import { describe, expect, it } from '@jest/globals';
import { InvalidRequestError } from '../deepseek-pool.errors.js';
import { serializeChatBody } from './chat-body.js';

const messages = [{ role: 'user', content: 'hi' }];

/** `{"x": [[[...]]]}` nested `depth` arrays deep, built without recursion. */
function nested(depth: number): unknown {
  let value: unknown = [];
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

describe('serializeChatBody', () => {
  it('gives each key the body with its own model name and the stream flag', () => {
    // Arrange
    const body = serializeChatBody({ model: 'deepseek-v4-flash', messages, temperature: 0.2, stream: true }, false);

    // Act
    const forKey: unknown = JSON.parse(body.forModel('deepseek-v4-flash-awq'));

    // Assert
    expect(forKey).toEqual({ model: 'deepseek-v4-flash-awq', stream: false, messages, temperature: 0.2 });
  });

  it('escapes the model name', () => {
    // Act
    const text = serializeChatBody({ model: 'm', messages }, true).forModel('a"b\\c');

    // Assert
    expect(JSON.parse(text)).toMatchObject({ model: 'a"b\\c', stream: true });
  });

  it.each<[string, unknown]>([
    ['nested deeper than the stack', { x: nested(200_000) }],
    ['holding a BigInt', { seed: 1n }],
    [
      'holding a cycle',
      (() => {
        const o: Record<string, unknown> = {};
        o.self = o;
        return { o };
      })(),
    ],
  ])("rejects a body %s as the caller's InvalidRequestError naming the body", (_name, extra) => {
    // Act
    const serialize = () => serializeChatBody({ model: 'm', messages, ...(extra as object) }, false);

    // Assert
    expect(serialize).toThrow(InvalidRequestError);
    expect(serialize).toThrow(/"body" cannot be serialized/);
  });
});
