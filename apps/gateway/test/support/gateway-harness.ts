import type { LoggerService } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DeepSeekDegradationOptions, DeepSeekPoolOptions, KeyOptions } from 'nestjs-deepseek-pool';
import { DeepSeekMock, type MockScenario } from 'nestjs-deepseek-pool-mock';
import type { ClientsConfig } from '../../src/clients/clients-config.js';
import type { GatewayConfig } from '../../src/config/gateway-config.js';
import { mockKeyOptions } from '../../src/demo/demo-upstream.js';
import type { MetricsSettings } from '../../src/metrics/metrics-settings.js';
import { createGateway } from '../../src/gateway-app.js';

/** Every line any logger wrote during a test, for "no secret in any log line" assertions. */
export class CapturedLogs implements LoggerService {
  readonly lines: string[] = [];
  // arrow functions: every level shares `log`, and Nest may call them detached
  readonly log = (message: unknown, ...rest: unknown[]): void => {
    this.lines.push(JSON.stringify([message, ...rest]));
  };
  error = this.log;
  warn = this.log;
  debug = this.log;
  verbose = this.log;
  fatal = this.log;
}

export interface Gateway {
  url: string;
  mock: DeepSeekMock;
  app: NestFastifyApplication;
  logs: CapturedLogs;
  close(): Promise<void>;
}

export interface GatewayOptions {
  tokens?: string[];
  adminToken?: string;
  /** Degradation tiers; off unless given. */
  degradation?: DeepSeekDegradationOptions;
  pool?: Partial<DeepSeekPoolOptions>;
  /** The time a client has to send its whole request (default 30 000 ms). */
  requestTimeoutMs?: number;
  /** Pool settings of some keys, by key name (e.g. priorities). */
  keys?: Record<string, Partial<KeyOptions>>;
  /** REDIS_URL: pool state and degradation cache on this Redis. */
  redisUrl?: string;
  /** Client tokens with limits (GATEWAY_CLIENTS); none unless given. */
  clients?: ClientsConfig;
  /** `/metrics` token and prices (GATEWAY_METRICS_TOKEN, GATEWAY_PRICES); default: no token, default prices. */
  metrics?: MetricsSettings;
}

/**
 * Starts the mock with `scenario` and the gateway in front of it (one key per scenario key, id = key name), on
 * 127.0.0.1.
 */
export async function startGateway(scenario: MockScenario, options: GatewayOptions = {}): Promise<Gateway> {
  const mock = new DeepSeekMock(scenario);
  const { url: upstream } = await mock.start({ port: 0 });
  const keys = scenario.keys.map((k) => ({
    ...mockKeyOptions(k, k.name ?? k.key, upstream),
    ...options.keys?.[k.name ?? k.key],
  }));
  const config: GatewayConfig = {
    mode: 'upstream',
    host: '127.0.0.1',
    port: 0,
    clientTokens: options.tokens ?? [],
    clients: options.clients,
    adminToken: options.adminToken,
    bodyLimit: '1mb',
    headersTimeoutMs: Math.min(10_000, options.requestTimeoutMs ?? 30_000),
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    requestLog: 'all',
    logFormat: 'text',
    logFlushMs: 50,
    degradation: options.degradation,
    ...(options.redisUrl ? { redisUrl: options.redisUrl } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    pool: {
      keys,
      ...options.pool,
      // a test's retry or health settings change these quiet ones, field by field
      retry: { maxWaitForKeyMs: 0, ...options.pool?.retry },
      health: { validateOnStart: false, probe: false, ...options.pool?.health },
    },
  };
  const logs = new CapturedLogs();
  const app = await createGateway(config, undefined, logs);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    mock,
    app,
    logs,
    close: async () => {
      await app.close();
      await mock.close();
    },
  };
}

/** A fetch that counts the HTTP requests an SDK client really sends (its retries included). */
export function countingFetch(): {
  fetch: typeof fetch;
  calls: Array<{ url: string; status: number; headers: Headers }>;
} {
  const calls: Array<{ url: string; status: number; headers: Headers }> = [];
  return {
    calls,
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      calls.push({ url, status: response.status, headers: response.headers });
      return response;
    },
  };
}
