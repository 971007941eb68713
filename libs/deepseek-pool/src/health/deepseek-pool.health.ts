import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { type HealthIndicatorResult, HealthIndicatorService, type HealthIndicatorStatus } from '@nestjs/terminus';
import { NoPoolError } from '../deepseek-pool.errors.js';
import type { PoolKeys } from '../core/pool-keys.js';
import type { PoolCore } from '../core/pool-core.js';
import { POOL_CORE } from '../core/pool-core.token.js';
import { type PoolHealthDetails, type PoolHealthStatus, assessPool, minHealthyKeysOf } from './pool-health-status.js';

/** Options of one health check. */
export interface PoolHealthOptions {
  /** Keys that must be able to serve for the pool to be up or degraded rather than down. Default 1. */
  minHealthyKeys?: number;
}

type Result = HealthIndicatorResult<string, HealthIndicatorStatus, PoolHealthDetails>;

/**
 * The result for a status: terminus 12 has `degraded` (HTTP 200, overall `degraded`); terminus 11 has only up and
 * down, so a degraded pool is reported `up` (it still serves) with `degraded: true` in the details.
 */
function indicatorResult(
  session: ReturnType<HealthIndicatorService['check']>,
  status: PoolHealthStatus,
  details: PoolHealthDetails,
): Result {
  if (status === 'down') return session.down(details);
  if (status === 'up') return session.up(details);
  return typeof session.degraded === 'function'
    ? session.degraded(details)
    : session.up({ ...details, degraded: true });
}

/**
 * terminus indicator for the pool: `up` while every key can serve, `degraded` while some are out but at least
 * `minHealthyKeys` can serve (`up` with `degraded: true` on terminus 11), `down` below that. Details per key by id
 * and masked key. Reads the pool's snapshot only: never an upstream call on a health request (the prober does the
 * calling, off the request path).
 */
@Injectable()
export class DeepSeekPoolHealthIndicator {
  private keys: PoolKeys | undefined;

  constructor(
    private readonly health: HealthIndicatorService,
    private readonly moduleRef: ModuleRef,
  ) {}

  /**
   * The pool's health under `key` (default `deepseek-pool`); synchronous, from local state. Typed with the installed
   * terminus's `HealthIndicatorStatus`, so `health.check([() => indicator.isHealthy()])` compiles on 11 and 12.
   */
  isHealthy<const Key extends string = 'deepseek-pool'>(
    key?: Key,
    options: PoolHealthOptions = {},
  ): HealthIndicatorResult<Key, HealthIndicatorStatus, PoolHealthDetails> {
    const { status, details } = assessPool(this.resolveKeys().snapshot(), minHealthyKeysOf(options.minHealthyKeys));
    return indicatorResult(this.health.check(key ?? 'deepseek-pool'), status, details) as HealthIndicatorResult<
      Key,
      HealthIndicatorStatus,
      PoolHealthDetails
    >;
  }

  /** The app's pool key set, wherever DeepSeekPoolModule was imported (global or not). */
  private resolveKeys(): PoolKeys {
    try {
      this.keys ??= this.moduleRef.get<PoolCore>(POOL_CORE, { strict: false }).keys;
    } catch {
      // UnknownElementException: reported below, with what to do
    }
    if (!this.keys) throw new NoPoolError('DeepSeekPoolHealthIndicator');
    return this.keys;
  }
}
