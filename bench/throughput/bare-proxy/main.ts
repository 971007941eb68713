import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ProxyModule } from './proxy.module.js';

// The bare Nest proxies of the throughput suite: UPSTREAM_URL, API_KEY, PORT (on 127.0.0.1), and BARE_PROXY_ADAPTER:
// `express` (default, Nest's default platform) or `fastify` (@nestjs/platform-fastify, the sample gateway's).
const { UPSTREAM_URL, API_KEY, PORT, BARE_PROXY_ADAPTER = 'express' } = process.env;
if (!UPSTREAM_URL || !API_KEY || !PORT) throw new Error('UPSTREAM_URL, API_KEY and PORT are required');
if (BARE_PROXY_ADAPTER !== 'express' && BARE_PROXY_ADAPTER !== 'fastify')
  throw new Error(`BARE_PROXY_ADAPTER must be express or fastify (got "${BARE_PROXY_ADAPTER}")`);
const root = ProxyModule.register({ upstreamUrl: UPSTREAM_URL, apiKey: API_KEY });
/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment -- Nest takes option literals */
const app: INestApplication =
  BARE_PROXY_ADAPTER === 'fastify'
    ? await NestFactory.create(root, new FastifyAdapter({ logger: false }), { logger: ['error', 'warn'] })
    : await NestFactory.create(root, { logger: ['error', 'warn'] });
/* eslint-enable @typescript-eslint/no-unsafe-class-instance-assignment */
app.enableShutdownHooks();
await app.listen(Number(PORT), '127.0.0.1');
