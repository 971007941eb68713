import { type DynamicModule, Module } from '@nestjs/common';
import { DeepSeekPoolService } from 'nestjs-deepseek-pool';
import type { Registry } from 'prom-client';
import type { PriceTable } from '../metrics/cost/price-table.js';
import { ClientAdmission } from './client-admission.js';
import { ClientDirectory } from './client-directory.js';
import type { ClientsConfig } from './clients-config.js';
import { ClientsRuntime } from './clients-runtime.js';

/** Client tokens with limits and budgets (global: the auth guard, the chat route and the status page read it). */
@Module({})
export class ClientsModule {
  static register(config: ClientsConfig, prices: PriceTable, registry: Registry): DynamicModule {
    return {
      module: ClientsModule,
      global: true,
      providers: [
        {
          provide: ClientsRuntime,
          inject: [DeepSeekPoolService],
          useFactory: (pool: DeepSeekPoolService) => new ClientsRuntime(config, prices, pool.tokenEstimate, registry),
        },
        {
          provide: ClientDirectory,
          inject: [ClientsRuntime],
          useFactory: (runtime: ClientsRuntime) => runtime.directory,
        },
        {
          provide: ClientAdmission,
          inject: [ClientsRuntime],
          useFactory: (runtime: ClientsRuntime) => runtime.admission,
        },
      ],
      exports: [ClientsRuntime, ClientDirectory, ClientAdmission],
    };
  }
}
