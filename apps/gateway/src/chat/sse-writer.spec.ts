import { once } from 'node:events';
import { type Server, createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { type ChatCompletionChunk, Redactor } from 'nestjs-deepseek-pool';
import { type SseEnding, writeSse } from './sse-writer.js';

/** Chunks of 64 KiB of content, without end (more than any socket buffer holds). */
function endlessChunks(): AsyncIterable<ChatCompletionChunk> {
  const chunk: ChatCompletionChunk = {
    id: 'c',
    object: 'chat.completion.chunk',
    model: 'm',
    choices: [{ index: 0, delta: { content: 'x'.repeat(64 * 1024) }, finish_reason: null }],
  };
  return { [Symbol.asyncIterator]: () => ({ next: () => Promise.resolve({ done: false, value: chunk }) }) };
}

describe('writeSse', () => {
  let server: Server;

  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('disconnects a client that reads nothing for maxStallMs, and says so', async () => {
    // Arrange: a client that sends its request and never reads
    let ended: Promise<SseEnding> | undefined;
    server = createServer((_request, response) => {
      ended = writeSse(response, endlessChunks(), new Redactor(), 300);
    }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    socket.pause();
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await once(socket, 'connect');

    // Act
    while (ended === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
    const ending = await ended;

    // Assert
    expect(ending).toBe('client-stalled');
    socket.resume();
    socket.on('data', () => undefined);
    await once(socket, 'close');
  });
});
