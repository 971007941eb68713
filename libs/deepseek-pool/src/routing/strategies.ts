import { createLeastConnectionsStrategy } from './least-connections.js';
import { createP2cEwmaStrategy } from './p2c-ewma.js';
import { createQuotaAwareStrategy } from './quota-aware.js';
import { createRoundRobinStrategy } from './round-robin.js';
import type { Strategy, StrategyName } from './strategy.js';
import { createWeightedRandomStrategy } from './weighted-random.js';

const FACTORIES: Partial<Record<StrategyName, () => Strategy>> = {
  'p2c-ewma': createP2cEwmaStrategy,
  'least-connections': createLeastConnectionsStrategy,
  'round-robin': createRoundRobinStrategy,
  'weighted-random': createWeightedRandomStrategy,
  'quota-aware': createQuotaAwareStrategy,
};

/** The strategies {@link createStrategy} can build today (the default first). */
export const STRATEGY_NAMES: readonly StrategyName[] = Object.freeze(Object.keys(FACTORIES) as StrategyName[]);

/** A fresh strategy (with its own cursor state) for `name`; throws for an unknown name. */
export function createStrategy(name: StrategyName): Strategy {
  const factory = FACTORIES[name];
  if (factory === undefined) {
    throw new Error(`Unknown routing strategy "${name}"; use one of: ${STRATEGY_NAMES.join(', ')}`);
  }
  return factory();
}
