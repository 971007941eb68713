import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { json } from 'body-parser';
import type { FastifyContentTypeParser, FastifyReply, FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';

/** Methods whose body a route may read; any other request's body is never read (Node discards it). */
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Fastify's content-type parser for every type: reads nothing, so that no body is read before the guards (the
 * JsonBodyInterceptor reads it after them).
 */
export const leaveBodyUnread: FastifyContentTypeParser = (_request, _payload, done) => {
  done(null, undefined);
};

/**
 * Reads JSON request bodies after the guards (interceptors run after guards, before the handler reads `@Body()`):
 * a request without a valid token is refused before a byte of its body is read. body-parser's `json({ limit })` reads
 * the Node request: a body over `limit` is a 413, invalid JSON a 400, an unsupported charset or encoding a 415.
 */
export class JsonBodyInterceptor implements NestInterceptor {
  private readonly parse: ReturnType<typeof json>;

  constructor(limit: string) {
    this.parse = json({ limit });
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    if (!WITH_BODY.has(request.method)) return next.handle();
    await new Promise<void>((resolve, reject) =>
      // body-parser reads Node's request: Fastify's `raw`, the IncomingMessage Node's server created
      // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
      this.parse(request.raw, http.getResponse<FastifyReply>().raw, (error?: unknown) => {
        if (error === undefined || error === null) resolve();
        // body-parser's errors are Errors (an HttpError with its status: 400, 413, 415), kept as they are
        else reject(error instanceof Error ? error : new Error('body-parser failed without an Error'));
      }),
    );
    // body-parser leaves `body` unset when there is no JSON body to read (another content type, no body)
    request.body = 'body' in request.raw ? request.raw.body : undefined;
    return next.handle();
  }
}
