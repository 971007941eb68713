import { type DynamicModule, Module } from '@nestjs/common';
import { GatewaySettings } from '../config/gateway-settings.js';
import { PoolEventLog } from './pool-event-log.js';
import { StatusAccess } from './status-access.js';
import { StatusAccessGuard } from './status-access.guard.js';
import { StatusController } from './status.controller.js';

/** The live status page of the pool (needs DeepSeekPoolService in scope, e.g. a global DeepSeekPoolModule). */
@Module({})
export class StatusModule {
  static register(settings: GatewaySettings): DynamicModule {
    return {
      module: StatusModule,
      controllers: [StatusController],
      providers: [
        { provide: GatewaySettings, useValue: settings },
        { provide: StatusAccess, useValue: StatusAccess.from(settings) },
        StatusAccessGuard,
        PoolEventLog,
      ],
    };
  }
}
