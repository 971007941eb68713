import type { ServerResponse } from 'node:http';
import type { ChatCompletionChunk, Redactor } from 'nestjs-deepseek-pool';
import { clientError } from '../errors/openai-error.js';

/**
 * How a stream to the client ended. `client-stalled`: the client stopped reading past the bound and was disconnected
 * (499).
 */
export type SseEnding = 'completed' | 'failed' | 'client-gone' | 'client-stalled';

/**
 * Writes chunks as OpenAI-style SSE with back-pressure; a failure after the start becomes an explicit error event,
 * redacted like every error answer. A client that reads nothing for `maxStallMs` is disconnected: its fault, never the
 * key's. Writes to Node's response: the caller hands it over (a Fastify reply is hijacked first).
 */
export async function writeSse(
  response: ServerResponse,
  chunks: AsyncIterable<ChatCompletionChunk>,
  redactor: Redactor,
  maxStallMs: number,
): Promise<SseEnding> {
  response.statusCode = 200;
  response.setHeader('content-type', 'text/event-stream; charset=utf-8');
  response.setHeader('cache-control', 'no-cache');
  response.setHeader('x-accel-buffering', 'no');
  response.flushHeaders();
  try {
    for await (const chunk of chunks) {
      if (response.destroyed) return 'client-gone';
      if (!response.write(`data: ${JSON.stringify(chunk)}\n\n`) && !(await drained(response, maxStallMs))) {
        response.destroy();
        return 'client-stalled';
      }
    }
    response.end('data: [DONE]\n\n');
    return 'completed';
  } catch (error) {
    if (response.destroyed) return 'client-gone';
    response.end(`data: ${JSON.stringify(clientError(error, redactor).body)}\n\n`);
    return 'failed';
  }
}

/** Resolves true once the client took the buffered bytes (or left), false when it read nothing for `maxStallMs`. */
function drained(response: ServerResponse, maxStallMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (took: boolean): void => {
      clearTimeout(timer);
      response.off('drain', onDrain);
      response.off('close', onDrain);
      resolve(took);
    };
    const onDrain = (): void => done(true);
    const timer = setTimeout(() => done(false), maxStallMs);
    response.once('drain', onDrain);
    response.once('close', onDrain);
  });
}
