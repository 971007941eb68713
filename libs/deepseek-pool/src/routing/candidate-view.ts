import type { RoutableKey } from '../keys/routable-key.js';
import type { Candidate } from './strategy.js';

/**
 * A key as a strategy sees it during one pick: the key's own figures, and the per-pick figures the router fills in
 * (latency read from one clock reading, the candidates' baseline, quota headroom). One view per key, made when the key
 * set changes and refilled on each pick: the hot path allocates nothing and never writes to the key.
 */
export class CandidateView<K extends RoutableKey> implements Candidate {
  latencyMs = 0;
  baselineLatencyMs = 0;
  headroom = 1;

  constructor(readonly key: K) {}

  get id(): string {
    return this.key.id;
  }

  get weight(): number {
    return this.key.weight;
  }

  get inFlight(): number {
    return this.key.inFlight;
  }

  get maxConcurrency(): number {
    return this.key.maxConcurrency;
  }

  get account(): string {
    return this.key.config.account;
  }
}
