import { type DeepSeekPoolOptions, resolveOptions } from '../deepseek-pool.options.js';
import { DeepSeekPoolService } from '../deepseek-pool.service.js';

/**
 * A DeepSeekPoolService without a Nest app, for tests and benchmarks: the options are validated and defaulted as
 * `DeepSeekPoolModule.forRoot` does; no prober runs. Close it with `onModuleDestroy()`.
 * @throws InvalidOptionsError when an option is invalid (the message names the field).
 */
export function createTestingPool(options: DeepSeekPoolOptions): DeepSeekPoolService {
  return new DeepSeekPoolService(resolveOptions(options));
}
