import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';

const app = await NestFactory.create(AppModule);
app.enableShutdownHooks(); // closes the pool's connections on SIGTERM
await app.listen(Number(process.env.PORT ?? 3000));
