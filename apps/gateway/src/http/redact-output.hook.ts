import { RouteConfig } from '@nestjs/platform-fastify';
import type { onSendHookHandler } from 'fastify';
import type { Redactor } from 'nestjs-deepseek-pool';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set by `@PassThrough()`: the route's successful answers are not redacted by the onSend hook. */
    passThrough?: boolean;
  }
}

/**
 * Marks a route whose successful answers are the upstream's body, sent unchanged: the hot path skips output
 * redaction. Its errors are redacted by the error filter; its streams by the SSE writer.
 */
export const PassThrough = (): MethodDecorator => RouteConfig({ passThrough: true });

/**
 * Fastify `onSend` hook: every answer Fastify sends (admin, metrics, status, health, models, 404s: any route but a
 * pass-through one) is redacted as the text that leaves, whatever a snapshot, an event or an upstream's model list
 * holds. Payloads are the serialized text (a string, or a Buffer); a stream is left alone (no route sends one).
 */
export function redactOutputHook(redactor: Redactor): onSendHookHandler {
  return (request, _reply, payload, done) => {
    if (
      request.routeOptions.config.passThrough === true ||
      (typeof payload !== 'string' && !Buffer.isBuffer(payload))
    ) {
      done(null, payload);
      return;
    }
    const text = typeof payload === 'string' ? payload : payload.toString('utf8');
    const redacted = redactor.redact(text);
    done(null, redacted === text ? payload : redacted);
  };
}
