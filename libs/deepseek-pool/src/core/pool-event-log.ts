import type { LoggerService } from '@nestjs/common';
import type { PoolEvents } from '../deepseek-pool.events.js';

/** Logs the pool events an operator acts on (key and breaker transitions, state store outages), by key id only. */
export function logPoolEvents(events: PoolEvents, logger: LoggerService | undefined): void {
  if (!logger) return;
  events.on('key.disabled', ({ keyId, reason }) => {
    logger.warn(`Key ${keyId} disabled: ${reason}`);
  });
  events.on('key.enabled', ({ keyId }) => {
    logger.log(`Key ${keyId} enabled`);
  });
  events.on('breaker.open', ({ keyId }) => {
    logger.warn(`Breaker of key ${keyId} opened`);
  });
  events.on('breaker.close', ({ keyId }) => {
    logger.log(`Breaker of key ${keyId} closed`);
  });
  events.on('store.degraded', ({ error }) => {
    logger.warn(`Shared state store unreachable (${error}): serving on this replica's local state`);
  });
  events.on('store.recovered', ({ downMs }) => {
    logger.log(`Shared state store back after ${downMs} ms: state reconciled`);
  });
}
