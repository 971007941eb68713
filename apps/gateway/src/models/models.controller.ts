import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DeepSeekPoolService, type ModelList } from 'nestjs-deepseek-pool';
import { ClientTokenGuard } from '../auth/client-token.guard.js';
import { setTraceHeaders } from '../chat/trace-headers.js';

/** `GET /v1/models`: the upstream model list, from any key that can answer. */
@Controller()
@UseGuards(ClientTokenGuard)
export class ModelsController {
  constructor(private readonly pool: DeepSeekPoolService) {}

  @Get(['v1/models', 'models'])
  async list(@Res({ passthrough: true }) reply: FastifyReply): Promise<ModelList> {
    const result = await this.pool.listModels();
    setTraceHeaders(reply.raw, result.meta);
    return result.data;
  }
}
