import { PassThrough } from 'node:stream';
import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  StreamableFile,
} from '@nestjs/common';
import { errorMessage } from 'nestjs-deepseek-pool';
import { Observable } from 'rxjs';

/**
 * Test-app framing of a POST route's chunk Observable as an OpenAI SSE body: `data: {chunk}` events, then
 * `data: [DONE]`; an error after the first chunk becomes a `data: {"error":...}` event. The response starts only
 * with the first chunk, so an error before it (e.g. the 503 fallback) is still answered by the exception filter.
 */
@Injectable()
export class SseResponseInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const body = context.switchToHttp().getRequest<{ body?: { stream?: unknown } }>().body;
    if (body?.stream !== true) return next.handle();
    return new Observable<StreamableFile>((subscriber) => {
      const out = new PassThrough();
      let started = false;
      const start = (): void => {
        started = true;
        subscriber.next(new StreamableFile(out, { type: 'text/event-stream' }));
        subscriber.complete();
      };
      const chunks = next.handle().subscribe({
        next: (chunk) => {
          out.write(`data: ${JSON.stringify(chunk)}\n\n`);
          if (!started) start();
        },
        error: (error: unknown) => {
          if (!started) {
            subscriber.error(error);
            return;
          }
          out.end(`data: ${JSON.stringify({ error: { message: errorMessage(error) } })}\n\n`);
        },
        complete: () => {
          out.end('data: [DONE]\n\n');
          if (!started) start();
        },
      });
      out.once('close', () => chunks.unsubscribe());
    });
  }
}
