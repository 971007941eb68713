import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { type Request, json } from 'express';
import type { Observable } from 'rxjs';

/** Methods whose body a route may read; any other request's body is never read (Node discards it). */
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Reads JSON request bodies after the guards (interceptors run after guards, before the handler reads `@Body()`):
 * a request without a valid token is refused before a byte of its body is read. Replaces the global body parser.
 */
export class JsonBodyInterceptor implements NestInterceptor {
  private readonly parse: ReturnType<typeof json>;

  constructor(limit: string) {
    this.parse = json({ limit });
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    if (!WITH_BODY.has(http.getRequest<Request>().method)) return next.handle();
    await new Promise<void>((resolve, reject) =>
      this.parse(http.getRequest(), http.getResponse(), (error?: unknown) => {
        if (error === undefined || error === null) resolve();
        // body-parser's errors are Errors (an HttpError with its status: 400, 413, 415), kept as they are
        else reject(error instanceof Error ? error : new Error('body-parser failed without an Error'));
      }),
    );
    return next.handle();
  }
}
