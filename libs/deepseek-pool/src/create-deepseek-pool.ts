import { createPoolCore } from './core/pool-core.js';
import { DeepSeekPoolAdmin } from './deepseek-pool.admin.js';
import { type DeepSeekPoolOptions, resolveOptions } from './deepseek-pool.options.js';
import { DeepSeekPoolService } from './deepseek-pool.service.js';

/** A pool built without Nest: its service, its key administration, and what it takes to stop it. */
export interface DeepSeekPool {
  /** Calls: chat, stream, models, snapshots, events. */
  readonly pool: DeepSeekPoolService;
  /** Key administration: enable, disable, add, remove, replace. */
  readonly admin: DeepSeekPoolAdmin;
  /** Resolves once OpenTelemetry is wired (or known to be absent); calls work before, untraced. */
  readonly ready: Promise<void>;
  /** Stops the pool's timers and closes the transport and state store it created (not those given). Idempotent. */
  readonly close: () => Promise<void>;
}

/**
 * Builds a pool outside Nest (scripts, workers, other frameworks), like DeepSeekPoolModule does: same options, same
 * validation (throws InvalidOptionsError naming the field). Without DeepSeekDegradationModule, `{ degrade: true }`
 * calls throw DeepSeekPoolError `NO_DEGRADER`.
 */
export function createDeepSeekPool(options: DeepSeekPoolOptions): DeepSeekPool {
  const core = createPoolCore(resolveOptions(options));
  return {
    pool: new DeepSeekPoolService(core),
    admin: new DeepSeekPoolAdmin(core),
    ready: core.ready,
    close: () => core.close(),
  };
}
