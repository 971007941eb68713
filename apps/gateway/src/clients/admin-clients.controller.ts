import { Body, Controller, Delete, Get, HttpCode, Logger, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { AdminTokenGuard } from '../auth/admin-token.guard.js';
import { JsonBodyGuard } from '../http/json-body.guard.js';
import { ClientDirectory, type IssuedToken } from './client-directory.js';
import type { ClientView } from './client-spec.js';

/**
 * Client tokens behind GATEWAY_ADMIN_TOKEN: create and rotate (the only answers that hold a token, shown once),
 * list (token hints only), update, revoke. Clients of GATEWAY_CLIENTS are listed but read-only (409).
 */
@Controller('admin/clients')
@UseGuards(AdminTokenGuard, JsonBodyGuard)
export class AdminClientsController {
  private readonly logger = new Logger('GatewayClients');

  constructor(private readonly directory: ClientDirectory) {}

  @Get()
  list(): { clients: ClientView[] } {
    return { clients: this.directory.list() };
  }

  @Post()
  async create(@Body() body: unknown): Promise<IssuedToken> {
    const issued = await this.directory.create(body);
    this.logger.log(`Client ${issued.client.name} created (${issued.client.tokenHint})`);
    return issued;
  }

  @Patch(':name')
  async update(@Param('name') name: string, @Body() body: unknown): Promise<ClientView> {
    const client = await this.directory.update(name, body);
    this.logger.log(`Client ${name} updated`);
    return client;
  }

  @Post(':name/rotate')
  @HttpCode(200)
  async rotate(@Param('name') name: string): Promise<IssuedToken> {
    const issued = await this.directory.rotate(name);
    this.logger.log(`Client ${name} token rotated (${issued.client.tokenHint}); the old token is refused`);
    return issued;
  }

  @Delete(':name')
  @HttpCode(204)
  async revoke(@Param('name') name: string): Promise<void> {
    await this.directory.revoke(name);
    this.logger.log(`Client ${name} revoked`);
  }
}
