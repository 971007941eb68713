import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { json } from 'body-parser';
import type { FastifyContentTypeParser, FastifyReply, FastifyRequest } from 'fastify';

/** The largest JSON body a route reads (GATEWAY_BODY_LIMIT, a body-parser size such as "10mb"). */
export const BODY_LIMIT = Symbol('BODY_LIMIT');

/** Methods whose body a route may read; any other request's body is never read (Node discards it). */
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Fastify's content-type parser for every type: reads nothing, so that no body is read before the guards (the
 * JsonBodyGuard reads it after them).
 */
export const leaveBodyUnread: FastifyContentTypeParser = (_request, _payload, done) => {
  done(null, undefined);
};

/**
 * Reads a JSON request body once the guards listed before it let the request in (`@UseGuards(TokenGuard,
 * JsonBodyGuard)`): a request without a valid token is refused before a byte of its body is read. A guard rather
 * than a global interceptor, so that a route without interceptors skips Nest's rxjs pipeline. body-parser's
 * `json({ limit })` reads the Node request: a body over the limit is a 413, invalid JSON a 400, an unsupported charset
 * or encoding a 415. A route without this guard gets no body.
 */
@Injectable()
export class JsonBodyGuard implements CanActivate {
  private readonly parse: ReturnType<typeof json>;

  constructor(@Inject(BODY_LIMIT) limit: string) {
    this.parse = json({ limit });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    if (!WITH_BODY.has(request.method)) return true;
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
    return true;
  }
}
