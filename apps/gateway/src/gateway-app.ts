import 'reflect-metadata';
import { Logger, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { RedactingLogger, Redactor } from 'nestjs-deepseek-pool';
import type { GatewayConfig } from './config/gateway-config.js';
import type { DemoUpstream } from './demo/demo-upstream.js';
import { GatewayModule } from './gateway.module.js';
import { leaveBodyUnread } from './http/json-body.guard.js';
import { redactOutputHook } from './http/redact-output.hook.js';
import { GatewayConsoleLogger } from './logging/gateway-console-logger.js';
import { requestIdHook } from './logging/request-id.hook.js';
import { MetricsSettings } from './metrics/metrics-settings.js';
import { RedisSharedState } from './replica-state/redis-shared-state.js';
import { redisUrlPassword } from './replica-state/redis-url.js';

/** How often Node enforces the headers and request timeouts. */
const TIMEOUT_CHECK_MS = 1_000;

/** Node's own keep-alive timeout (Fastify's default is 72 s): an idle connection is closed after 5 s. */
const KEEP_ALIVE_TIMEOUT_MS = 5_000;

/** Builds the gateway app for a configuration (without listening): used by main and by the e2e tests. */
export async function createGateway(
  config: GatewayConfig,
  demo?: DemoUpstream,
  logger?: LoggerService,
): Promise<NestFastifyApplication> {
  const metricsSettings = config.metrics ?? new MetricsSettings();
  // One redactor for everything that leaves: the pool adds its keys, the gateway its bearer tokens (client tokens
  // given in plain in GATEWAY_CLIENTS included) and the Redis password.
  const redactor = new Redactor([
    ...config.clientTokens,
    ...(config.clients?.plainTokens ?? []),
    config.adminToken,
    metricsSettings.token,
    redisUrlPassword(config.redisUrl),
  ]);
  const shared = config.redisUrl === undefined ? undefined : new RedisSharedState(config.redisUrl);
  const root = GatewayModule.register(config, { redactor, demoKeys: demo?.keys, ...(shared ? { shared } : {}) });
  const adapter = new FastifyAdapter({
    logger: false,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    // Routes match as they did on express: any case, with or without a trailing slash.
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true },
  });
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- Nest takes option literals
  const app = await NestFactory.create<NestFastifyApplication>(root, adapter, {
    bodyParser: false,
    forceCloseConnections: true,
    logger: new RedactingLogger(logger ?? new GatewayConsoleLogger(config.logFormat === 'json'), redactor),
  });
  const fastify = app.getHttpAdapter().getInstance();
  // Fastify parses bodies before Nest's guards run: its parsers are replaced by one that reads nothing, and the
  // JsonBodyGuard reads the body once the guards before it let the request in.
  fastify.removeAllContentTypeParsers();
  // JSON by name as well: Fastify caches the parser it finds for a content type, except the catch-all one, whose
  // lookup parses the header again on every request.
  fastify.addContentTypeParser('application/json', leaveBodyUnread);
  fastify.addContentTypeParser('*', leaveBodyUnread);
  fastify.addHook('onRequest', requestIdHook);
  // No global interceptor: a route without one skips Nest's rxjs pipeline. What leaves is redacted here instead.
  fastify.addHook('onSend', redactOutputHook(redactor));
  const server = app.getHttpServer();
  // Node answers malformed requests and timeouts itself (400, 408, 431 without a body), as it did under express.
  server.removeAllListeners('clientError');
  // Read by Node when the server starts listening; its default check interval (30 s) would let a slow client stay 30 s
  // longer.
  Object.assign(server, {
    headersTimeout: config.headersTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    connectionsCheckingInterval: TIMEOUT_CHECK_MS,
  });
  if (demo)
    server.on('close', () => {
      demo.mock.close().catch((error: unknown) => {
        Logger.warn(`The demo mock did not close: ${String(error)}`, 'Gateway');
      });
    });
  return app;
}
