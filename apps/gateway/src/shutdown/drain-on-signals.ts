import type { Server } from 'node:http';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { GatewayConfigError } from '../config/gateway-config-error.js';
import { InFlightRequests } from './in-flight-requests.js';

/** Under Kubernetes' default 30 s grace period and compose's `stop_grace_period: 30s`, with room for the close. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 25_000;

/** `GATEWAY_DRAIN_TIMEOUT_MS`: how long a stopping gateway waits for in-flight requests and streams. */
export function drainTimeoutMs(env: NodeJS.ProcessEnv): number {
  const text = env.GATEWAY_DRAIN_TIMEOUT_MS?.trim();
  if (text === undefined || text === '') return DEFAULT_DRAIN_TIMEOUT_MS;
  const ms = Number(text);
  if (!Number.isInteger(ms) || ms < 0)
    throw new GatewayConfigError(
      'GATEWAY_DRAIN_TIMEOUT_MS',
      `must be an integer number of milliseconds >= 0 (got "${text}")`,
    );
  return ms;
}

/**
 * On SIGTERM or SIGINT: stop accepting connections, let the requests in flight finish (streams to their end) for up
 * to `timeoutMs` (then their connections are closed, which aborts their upstream calls), then close the app (the pool,
 * then the Redis state store, which hands this replica's account slots
 * back at once instead of after their lease) and exit 0. A second signal exits at once. Call before `listen`.
 */
export function drainOnSignals(
  app: INestApplication,
  timeoutMs: number,
  logger: LoggerService,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  const server = app.getHttpServer() as Server;
  const inFlight = new InFlightRequests(server);
  let draining = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (draining) {
      logger.warn(`${signal} again: exiting without waiting for ${inFlight.size} request(s)`);
      exit(1);
      return;
    }
    draining = true;
    logger.log(
      `${signal}: draining ${inFlight.size} request(s) in flight (up to ${timeoutMs} ms), accepting no new connections`,
    );
    server.close();
    inFlight.closeConnections();
    void inFlight
      .idle(timeoutMs)
      .then((idle) => {
        if (!idle) {
          logger.warn(`Drain timeout: closing ${inFlight.size} request(s) still in flight`);
          server.closeAllConnections();
        }
        return app.close();
      })
      .then(
        () => exit(0),
        (error: unknown) => {
          logger.error(`Shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
          exit(1);
        },
      );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
