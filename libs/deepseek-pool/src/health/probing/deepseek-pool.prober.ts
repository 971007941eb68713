import {
  Inject,
  Injectable,
  type LoggerService,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { DEEPSEEK_POOL_OPTIONS } from '../../deepseek-pool.constants.js';
import type { ResolvedPoolOptions } from '../../deepseek-pool.options.js';
import type { PoolCore } from '../../core/pool-core.js';
import { POOL_CORE } from '../../core/pool-core.token.js';
import { redactedLogger } from '../../redaction/redacting-logger.js';
import { SyntheticTraffic } from '../synthetic/synthetic-traffic.js';
import { KeyProber } from './key-prober.js';
import { DEFAULT_PROBE_OPTIONS } from '../../options/probe-options.js';
import { validateKeysAtStart } from './startup-validation.js';

/** Keys checked at once by start-up validation. */
const VALIDATION_CONCURRENCY = 32;

/**
 * The pool's active health checks, registered by DeepSeekPoolModule: validates every key once while the app
 * bootstraps (`validateOnStart`), then probes keys (`probe`) and sends synthetic completions (`synthetic`)
 * on their own jittered, unref'd timers until the app shuts down. Never on the request path.
 */
@Injectable()
export class DeepSeekPoolProber implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly prober: KeyProber | undefined;
  private readonly synthetic: SyntheticTraffic | undefined;
  private readonly logger: LoggerService | undefined;

  constructor(
    @Inject(DEEPSEEK_POOL_OPTIONS) private readonly options: ResolvedPoolOptions,
    @Inject(POOL_CORE) private readonly core: PoolCore,
  ) {
    const { probe, synthetic, clock, rng } = options;
    this.logger = redactedLogger(options.logger, 'DeepSeekPoolProber', options.redactor);
    const thresholds = probe || DEFAULT_PROBE_OPTIONS;
    if (probe) this.prober = new KeyProber(core.keys, probe, clock, rng, this.logger);
    if (synthetic)
      this.synthetic = new SyntheticTraffic(
        core.keys,
        synthetic,
        thresholds,
        thresholds.jitter,
        clock,
        rng,
        this.logger,
      );
  }

  /** Validates the keys (may throw with `'require-one'`, which stops the start), then starts the schedules. */
  async onApplicationBootstrap(): Promise<void> {
    const { validateOnStart, probe } = this.options;
    if (validateOnStart !== false) {
      const { timeoutMs, balance } = probe || DEFAULT_PROBE_OPTIONS;
      const settings = {
        timeoutMs,
        balance,
        concurrency: VALIDATION_CONCURRENCY,
        requireOne: validateOnStart === 'require-one',
      };
      await validateKeysAtStart(this.core.keys, settings, this.logger);
    }
    this.prober?.start();
    this.synthetic?.start();
  }

  /**
   * Probes every key now, e.g. after an operator topped up an account; resolves when done. No-op with
   * `health.probe: false`.
   */
  async checkNow(): Promise<void> {
    await this.prober?.checkNow();
  }

  /** Sends one synthetic completion to every serving key now (within budget). No-op without `synthetic`. */
  async runSyntheticNow(): Promise<void> {
    await this.synthetic?.runNow();
  }

  /** Stops every timer and waits for the probes in flight (aborted) before the pool closes its transport. */
  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.prober?.stop(), this.synthetic?.stop()]);
  }
}
