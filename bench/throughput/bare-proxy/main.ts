import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ProxyModule } from './proxy.module.js';

// The bare Nest proxy of the throughput suite: UPSTREAM_URL, API_KEY, PORT (on 127.0.0.1).
const { UPSTREAM_URL, API_KEY, PORT } = process.env;
if (!UPSTREAM_URL || !API_KEY || !PORT) throw new Error('UPSTREAM_URL, API_KEY and PORT are required');
const app = await NestFactory.create<NestExpressApplication>(
  ProxyModule.register({ upstreamUrl: UPSTREAM_URL, apiKey: API_KEY }),
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- Nest takes option literals
  { logger: ['error', 'warn'] },
);
app.enableShutdownHooks();
await app.listen(Number(PORT), '127.0.0.1');
