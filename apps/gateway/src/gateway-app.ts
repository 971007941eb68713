import 'reflect-metadata';
import { Logger, type LoggerService } from '@nestjs/common';
import { NestFactory, Reflector } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { RedactingLogger, Redactor } from 'nestjs-deepseek-pool';
import type { GatewayConfig } from './config/gateway-config.js';
import type { DemoUpstream } from './demo/demo-upstream.js';
import { GatewayModule } from './gateway.module.js';
import { JsonBodyInterceptor } from './http/json-body.interceptor.js';
import { RedactOutputInterceptor } from './http/redact-output.interceptor.js';
import { GatewayConsoleLogger } from './logging/gateway-console-logger.js';
import { requestIdMiddleware } from './logging/request-id.middleware.js';
import { MetricsSettings } from './metrics/metrics-settings.js';
import { RedisSharedState } from './replica-state/redis-shared-state.js';
import { redisUrlPassword } from './replica-state/redis-url.js';

/** How often Node enforces the headers and request timeouts. */
const TIMEOUT_CHECK_MS = 1_000;

/** Builds the gateway app for a configuration (without listening): used by main and by the e2e tests. */
export async function createGateway(
  config: GatewayConfig,
  demo?: DemoUpstream,
  logger?: LoggerService,
): Promise<NestExpressApplication> {
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
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- Nest takes option literals
  const app = await NestFactory.create<NestExpressApplication>(root, {
    bodyParser: false,
    forceCloseConnections: true,
    logger: new RedactingLogger(logger ?? new GatewayConsoleLogger(config.logFormat === 'json'), redactor),
  });
  app.disable('x-powered-by');
  app.use(requestIdMiddleware);
  app.useGlobalInterceptors(
    new JsonBodyInterceptor(config.bodyLimit),
    new RedactOutputInterceptor(app.get(Reflector), redactor),
  );
  // Read by Node when the server starts listening; its default check interval (30 s) would let a slow client stay 30 s
  // longer.
  Object.assign(app.getHttpServer(), {
    headersTimeout: config.headersTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    connectionsCheckingInterval: TIMEOUT_CHECK_MS,
  });
  if (demo)
    app.getHttpServer().on('close', () => {
      demo.mock.close().catch((error: unknown) => {
        Logger.warn(`The demo mock did not close: ${String(error)}`, 'Gateway');
      });
    });
  return app;
}
