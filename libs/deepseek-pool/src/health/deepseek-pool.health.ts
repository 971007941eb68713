import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { DeepSeekPoolError } from '../deepseek-pool.errors.js';
import { DeepSeekPoolService } from '../deepseek-pool.service.js';
import { type PoolHealthDetails, assessPool, minHealthyKeysOf } from './pool-health-status.js';

/** Options of one health check. */
export interface PoolHealthOptions {
  /** Keys that must be able to serve for the pool to be up or degraded rather than down. Default 1. */
  minHealthyKeys?: number;
}

/**
 * terminus indicator for the pool: `up` while every key can serve, `degraded` while some are out but at least
 * `minHealthyKeys` can serve, `down` below that. Details per key by id and masked key. Reads the pool's
 * snapshot only: never an upstream call on a health request (the prober does the calling, off the request path).
 */
@Injectable()
export class DeepSeekPoolHealthIndicator {
  private pool: DeepSeekPoolService | undefined;

  constructor(
    private readonly health: HealthIndicatorService,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** The pool's health under `key` (default `deepseek-pool`); synchronous, from local state. */
  isHealthy<const Key extends string = 'deepseek-pool'>(key?: Key, options: PoolHealthOptions = {}): HealthIndicatorResult<Key, 'up' | 'degraded' | 'down', PoolHealthDetails> {
    const { status, details } = assessPool(this.resolvePool().snapshot(), minHealthyKeysOf(options.minHealthyKeys));
    const session = this.health.check(key ?? ('deepseek-pool' as Key));
    if (status === 'up') return session.up(details);
    return status === 'degraded' ? session.degraded(details) : session.down(details);
  }

  /** The app's DeepSeekPoolService, wherever DeepSeekPoolModule was imported (global or not). */
  private resolvePool(): DeepSeekPoolService {
    try {
      this.pool ??= this.moduleRef.get(DeepSeekPoolService, { strict: false });
    } catch {
      // UnknownElementException: reported below, with what to do
    }
    if (!this.pool) throw new DeepSeekPoolError('DeepSeekPoolHealthIndicator needs DeepSeekPoolModule.forRoot(...) or forRootAsync(...) in the app', 'NO_POOL');
    return this.pool;
  }
}
