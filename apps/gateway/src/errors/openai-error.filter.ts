import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DeepSeekPoolService, errorMessage } from 'nestjs-deepseek-pool';
import { urlPath } from '../http/url-path.js';
import { clientError } from './openai-error.js';

/** Health checks answer in terminus's own shape (orchestrators read it); every other route in the OpenAI envelope. */
const TERMINUS_ROUTES = /^\/health(\/|$)/;

/**
 * Every error leaves the gateway in the OpenAI envelope, with the right status and retry headers (health checks
 * excepted), redacted of every secret. An error answered before the request body was read (a refused token, an
 * unknown route) closes the connection: the body is never read.
 */
@Catch()
export class OpenAiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Gateway');

  constructor(private readonly pool: DeepSeekPoolService) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    if (reply.sent || reply.raw.headersSent) {
      reply.raw.end();
      return;
    }
    const request = http.getRequest<FastifyRequest>();
    if (!request.raw.complete) reply.header('connection', 'close');
    if (error instanceof HttpException && TERMINUS_ROUTES.test(urlPath(request.url))) {
      void reply.code(error.getStatus()).send(this.pool.redactor.redactValue(error.getResponse()));
      return;
    }
    const mapped = clientError(error, this.pool.redactor);
    if (mapped.status === 500) this.logger.error(`Unhandled error: ${errorMessage(error)}`);
    void reply.code(mapped.status).headers(mapped.headers).send(mapped.body);
  }
}
