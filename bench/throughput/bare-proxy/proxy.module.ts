import { type DynamicModule, Module } from '@nestjs/common';
import { PROXY_SETTINGS, ProxyController, type ProxySettings } from './proxy.controller.js';

@Module({})
export class ProxyModule {
  static register(settings: ProxySettings): DynamicModule {
    return {
      module: ProxyModule,
      controllers: [ProxyController],
      providers: [{ provide: PROXY_SETTINGS, useValue: settings }],
    };
  }
}
