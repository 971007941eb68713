import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { toOpenAiError } from './openai-error.js';

/** Every error leaves the gateway in the OpenAI envelope, with the right status and retry headers. */
@Catch()
export class OpenAiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Gateway');

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const mapped = toOpenAiError(error);
    if (mapped.status === 500) this.logger.error(`Unhandled error: ${error instanceof Error ? error.message : String(error)}`);
    if (response.headersSent) {
      response.end();
      return;
    }
    response.status(mapped.status).set(mapped.headers).json(mapped.body);
  }
}
