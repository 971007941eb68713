// Every entry point of both packages, type-checked with `moduleResolution: "node"` and `skipLibCheck: false`.
import { DeepSeekPoolModule, DeepSeekPoolService } from 'nestjs-deepseek-pool';
import { HttpServiceTransport } from 'nestjs-deepseek-pool/axios';
import { DeepSeekPoolHealthIndicator, DeepSeekPoolHealthModule } from 'nestjs-deepseek-pool/health';
import { RedisStateStore } from 'nestjs-deepseek-pool/redis';
import { ScriptedTransport, completion } from 'nestjs-deepseek-pool/testing';
import { DeepSeekMock } from 'nestjs-deepseek-pool-mock';

export const entryPoints = [
  DeepSeekPoolModule,
  DeepSeekPoolService,
  HttpServiceTransport,
  DeepSeekPoolHealthIndicator,
  DeepSeekPoolHealthModule,
  RedisStateStore,
  ScriptedTransport,
  completion,
  DeepSeekMock,
];
