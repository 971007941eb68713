import {
  type CallHandler,
  type ExecutionContext,
  HttpException,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import { type Observable, catchError, defer, from, lastValueFrom, map, throwError } from 'rxjs';
import type { ChatCompletionChunk } from '../chat.types.js';
import { retryAfterSeconds } from '../deepseek-pool.errors.js';
import { validateChatRequest } from '../request-validation.js';
import type { DegradableHttpRequest, DegradableRoute } from './degradable.decorator.js';
import { DEGRADABLE_METADATA, DEGRADED_HEADER } from './degradation.constants.js';
import { DegradedUnavailableError } from './degradation.errors.js';
import { DeepSeekDegradationService } from './degradation.service.js';

/**
 * Degrades `@Degradable()` routes (others pass through untouched). Fresh answers are cached; when the pool cannot
 * serve, the answer comes from the tiers and carries `x-deepseek-pool-degraded: cache | model | fallback`; the
 * error fallback becomes HTTP 503 with Retry-After. `stream: true` requests get the cached or fallback answer
 * replayed as chunks. An invalid request is rejected (InvalidRequestError, 400) before anything else: never degraded.
 */
@Injectable()
export class DeepSeekDegradationInterceptor implements NestInterceptor<unknown, unknown> {
  constructor(
    private readonly degradation: DeepSeekDegradationService,
    private readonly reflector: Reflector,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** Nest interceptor hook: passes routes without `@Degradable()` through, degrades the others. */
  intercept(context: ExecutionContext, next: CallHandler<unknown>): Observable<unknown> {
    const route = this.reflector.getAllAndOverride<DegradableRoute | undefined>(DEGRADABLE_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (route === undefined || context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const response: unknown = http.getResponse();
    const setHeader = (name: string, value: string): void => {
      this.adapterHost.httpAdapter.setHeader(response, name, value);
    };
    return defer(() => {
      const httpRequest = http.getRequest<DegradableHttpRequest>();
      const request = route.request(httpRequest);
      validateChatRequest(request);
      const input = this.degradation.routeInput(request, httpRequest, route, (tier) =>
        setHeader(DEGRADED_HEADER, tier),
      );
      if (request.stream === true)
        return this.degradation.runStream(input, next.handle() as Observable<ChatCompletionChunk>);
      return from(
        this.degradation.run(
          input,
          () => lastValueFrom(next.handle()),
          (body) => body,
        ),
      ).pipe(map((outcome) => ('fresh' in outcome ? outcome.fresh : outcome.degraded.data)));
    }).pipe(
      catchError((error: unknown) => {
        if (!(error instanceof DegradedUnavailableError)) return throwError(() => error);
        setHeader('retry-after', String(retryAfterSeconds(error.retryAfterMs)));
        return throwError(
          () => new HttpException(error.body as Record<string, unknown>, error.status, { cause: error }),
        );
      }),
    );
  }
}
