import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { toOpenAiError } from './openai-error.js';

/** Health checks answer in terminus's own shape (orchestrators read it); every other route in the OpenAI envelope. */
const TERMINUS_ROUTES = /^\/health(\/|$)/;

/** Every error leaves the gateway in the OpenAI envelope, with the right status and retry headers (health checks excepted). */
@Catch()
export class OpenAiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Gateway');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    if (response.headersSent) {
      response.end();
      return;
    }
    if (error instanceof HttpException && TERMINUS_ROUTES.test(http.getRequest<Request>().path)) {
      response.status(error.getStatus()).json(error.getResponse());
      return;
    }
    const mapped = toOpenAiError(error);
    if (mapped.status === 500) this.logger.error(`Unhandled error: ${error instanceof Error ? error.message : String(error)}`);
    response.status(mapped.status).set(mapped.headers).json(mapped.body);
  }
}
