import { Controller, Get, Header, NotFoundException, Optional, Query, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DeepSeekPoolService, type PoolSnapshot } from 'nestjs-deepseek-pool';
import { type ClientStatus, ClientsRuntime } from '../clients/clients-runtime.js';
import { GatewaySettings } from '../config/gateway-settings.js';
import { STATUS_PAGE } from './page/status-page.js';
import { type PoolEventRecord, PoolEventLog } from './pool-event-log.js';
import { StatusAccess } from './status-access.js';
import { StatusAccessGuard } from './status-access.guard.js';

/** What `GET /status/snapshot` returns: the pool snapshot (masked keys only) and the server clock for countdowns. */
export interface StatusSnapshot {
  nowMs: number;
  mode: GatewaySettings['mode'];
  pool: PoolSnapshot;
  /** Client tokens with their limits, use and remaining budget (names only, never a token). */
  clients: ClientStatus[];
}

/**
 * `GET /status`: a live page of the pool (HTML shell, no data); `GET /status/snapshot` and `GET /status/events`:
 * its data, behind the admin token when one is set (see StatusAccess).
 */
@Controller('status')
export class StatusController {
  constructor(
    private readonly pool: DeepSeekPoolService,
    private readonly events: PoolEventLog,
    private readonly access: StatusAccess,
    private readonly settings: GatewaySettings,
    @Optional() private readonly clients?: ClientsRuntime,
  ) {}

  @Get()
  page(@Res({ passthrough: true }) reply: FastifyReply): string {
    if (this.access.mode === 'off') throw new NotFoundException();
    reply
      .headers({
        'Content-Security-Policy': STATUS_PAGE.contentSecurityPolicy,
        'Cache-Control': 'no-store',
        'Referrer-Policy': 'no-referrer',
        'X-Content-Type-Options': 'nosniff',
      })
      .type('text/html; charset=utf-8');
    return STATUS_PAGE.html;
  }

  @Get('snapshot')
  @UseGuards(StatusAccessGuard)
  @Header('Cache-Control', 'no-store')
  snapshot(): StatusSnapshot {
    return {
      nowMs: Date.now(),
      mode: this.settings.mode,
      pool: this.pool.snapshot(),
      clients: this.clients?.status() ?? [],
    };
  }

  /** Events with a sequence number above `after` (default: all kept), oldest first. */
  @Get('events')
  @UseGuards(StatusAccessGuard)
  @Header('Cache-Control', 'no-store')
  recentEvents(@Query('after') after?: string): { events: PoolEventRecord[] } {
    return { events: this.events.since(Number(after) || 0) };
  }
}
