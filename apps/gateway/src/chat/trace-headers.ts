import type { Response } from 'express';
import type { AttemptMeta } from 'nestjs-deepseek-pool';

/** Response headers that trace how the answer was obtained: serving key id (never the key), attempts, degraded tier. */
export function setTraceHeaders(response: Response, meta: AttemptMeta): void {
  if (meta.keyId !== '') response.setHeader('x-deepseek-pool-key', meta.keyId);
  response.setHeader('x-deepseek-pool-attempts', String(meta.attempts));
  if (meta.degraded) response.setHeader('x-deepseek-pool-degraded', meta.degraded);
}
