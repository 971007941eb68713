import type { Response } from 'express';
import type { ChatCompletionChunk, Redactor } from 'nestjs-deepseek-pool';
import { clientError } from '../errors/openai-error.js';

/**
 * Writes chunks as OpenAI-style SSE with back-pressure; a failure after the start becomes an explicit error event,
 * redacted like every error answer.
 */
export async function writeSse(response: Response, chunks: AsyncIterable<ChatCompletionChunk>, redactor: Redactor): Promise<'completed' | 'failed' | 'client-gone'> {
  response.status(200);
  response.setHeader('content-type', 'text/event-stream; charset=utf-8');
  response.setHeader('cache-control', 'no-cache');
  response.setHeader('x-accel-buffering', 'no');
  response.flushHeaders();
  try {
    for await (const chunk of chunks) {
      if (response.destroyed) return 'client-gone';
      if (!response.write(`data: ${JSON.stringify(chunk)}\n\n`)) await drained(response);
    }
    response.end('data: [DONE]\n\n');
    return 'completed';
  } catch (error) {
    if (response.destroyed) return 'client-gone';
    response.end(`data: ${JSON.stringify(clientError(error, redactor).body)}\n\n`);
    return 'failed';
  }
}

function drained(response: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.once('drain', done);
    response.once('close', done);
  });
}
