import type { ServerResponse } from 'node:http';
import type { AttemptMeta } from 'nestjs-deepseek-pool';

/**
 * Response headers that trace how the answer was obtained: serving key id (never the key), attempts, degraded tier.
 * Set on Node's response, so a JSON answer (sent by Fastify) and a stream (written to it directly) both carry them.
 */
export function setTraceHeaders(response: ServerResponse, meta: AttemptMeta): void {
  if (meta.keyId !== '') response.setHeader('x-deepseek-pool-key', meta.keyId);
  response.setHeader('x-deepseek-pool-attempts', String(meta.attempts));
  if (meta.degraded) response.setHeader('x-deepseek-pool-degraded', meta.degraded);
}
