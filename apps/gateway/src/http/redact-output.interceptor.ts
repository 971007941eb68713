import { type CallHandler, type ExecutionContext, type NestInterceptor, SetMetadata } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import type { Redactor } from 'nestjs-deepseek-pool';
import { type Observable, map } from 'rxjs';

const PASS_THROUGH = 'gateway:pass-through';

/**
 * Marks a route whose successful answers are the upstream's body, sent unchanged (the hot path skips output redaction).
 */
export const PassThrough = (): MethodDecorator & ClassDecorator => SetMetadata(PASS_THROUGH, true);

/**
 * Every other route's answer (admin, metrics, status, health, models) passes through the redactor: no secret leaves,
 * whatever a snapshot, an event or an upstream's model list holds. Errors are redacted by the error filter.
 */
export class RedactOutputInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly redactor: Redactor,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (this.reflector.getAllAndOverride<boolean>(PASS_THROUGH, [context.getHandler(), context.getClass()]))
      return next.handle();
    return next.handle().pipe(map((value: unknown) => this.redactor.redactValue(value)));
  }
}
