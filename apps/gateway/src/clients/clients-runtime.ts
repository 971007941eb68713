import { Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { TokenEstimateOptions } from 'nestjs-deepseek-pool';
import type { Registry } from 'prom-client';
import type { PriceTable } from '../metrics/cost/price-table.js';
import { ClientAdmission } from './client-admission.js';
import { ClientDirectory } from './client-directory.js';
import { type ClientLedger, MemoryLedger } from './client-ledger.js';
import { ClientMetrics } from './client-metrics.js';
import { type ClientStore, MemoryClientStore, RedisClientStore } from './client-store.js';
import type { ClientsConfig } from './clients-config.js';
import { RedisClientLedger } from './redis-client-ledger.js';
import type { ClientLimits, ClientTotals } from './spend-window.js';

/** One client's line on the status page: names and counts only, never a token. */
export interface ClientStatus {
  name: string;
  tenant: string | undefined;
  source: 'config' | 'api';
  limits: ClientLimits;
  used: ClientTotals;
  /** USD left of the daily / monthly budget, when set. */
  remainingUsd: { day?: number; month?: number };
}

/**
 * The client-token machinery of one replica: directory, ledger, admission and metrics, on Redis when REDIS_URL is
 * set (one connection, commands fail fast while Redis is down: see RedisClientLedger), else in this process.
 */
export class ClientsRuntime implements OnModuleInit, OnModuleDestroy {
  readonly directory: ClientDirectory;
  readonly ledger: ClientLedger;
  readonly admission: ClientAdmission;
  private readonly redis: Redis | undefined;
  private readonly logger = new Logger('GatewayClients');
  private timer: ReturnType<typeof setInterval> | undefined;
  private refreshFailing = false;

  constructor(
    private readonly config: ClientsConfig,
    prices: PriceTable,
    tokenEstimate: TokenEstimateOptions,
    registry: Registry,
  ) {
    let store: ClientStore = new MemoryClientStore();
    if (config.redisUrl) {
      this.redis = new Redis(config.redisUrl, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        commandTimeout: 500,
        lazyConnect: true,
      });
      this.redis.on('error', () => undefined);
      store = new RedisClientStore(this.redis, config.redisPrefix);
      this.ledger = new RedisClientLedger(this.redis, config.redisPrefix, Date.now, (online) =>
        online
          ? this.logger.log('Redis is back: client limits are shared again')
          : this.logger.warn(
              "Redis unreachable: client limits are enforced on this replica's own counts until it is back",
            ),
      );
    } else {
      this.ledger = new MemoryLedger();
    }
    this.directory = new ClientDirectory(config.records ?? [], store);
    const metrics = new ClientMetrics(
      registry,
      () => this.directory.all(),
      (client) => this.ledger.totals(client),
    );
    this.admission = new ClientAdmission(this.ledger, metrics, prices, tokenEstimate);
  }

  /** True when client tokens are in use: GATEWAY_CLIENTS is set (possibly empty, for admin-API clients only). */
  get configured(): boolean {
    return this.config.records !== undefined;
  }

  async onModuleInit(): Promise<void> {
    if (!this.redis) return;
    await this.redis.connect().catch(() => undefined);
    await this.refresh();
    this.timer = setInterval(() => {
      // refresh() logs its own failures; this catches a bug in it rather than leave an unhandled rejection
      this.refresh().catch((error: unknown) => this.logger.error(`Client refresh failed: ${String(error)}`));
    }, this.config.refreshMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.ledger.close();
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }

  status(): ClientStatus[] {
    return this.directory.all().map((client) => {
      const used = this.ledger.totals(client.name);
      const remainingUsd = {
        ...(client.limits.usdPerDay === undefined
          ? {}
          : { day: Math.max(0, client.limits.usdPerDay - used.usdPerDay) }),
        ...(client.limits.usdPerMonth === undefined
          ? {}
          : { month: Math.max(0, client.limits.usdPerMonth - used.usdPerMonth) }),
      };
      return {
        name: client.name,
        tenant: client.tenant,
        source: client.source,
        limits: client.limits,
        used,
        remainingUsd,
      };
    });
  }

  private async refresh(): Promise<void> {
    try {
      await this.directory.refresh();
      this.refreshFailing = false;
    } catch {
      if (!this.refreshFailing)
        this.logger.warn('Cannot read the clients in Redis: the last known clients stay in force');
      this.refreshFailing = true;
    }
  }
}
