import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import {
  UnknownKeyError,
  DeepSeekPoolService,
  InvalidOptionsError,
  type KeyOptions,
  type KeySnapshot,
} from 'nestjs-deepseek-pool';
import { AdminTokenGuard } from '../auth/admin-token.guard.js';

/**
 * Key administration behind GATEWAY_ADMIN_TOKEN: list (masked), add, disable / enable, remove (drains in-flight
 * requests first), replace the secret (rotation without restart), bulk import and export. Nothing returned
 * here ever holds a secret.
 */
@Controller('admin/keys')
@UseGuards(AdminTokenGuard)
export class AdminController {
  constructor(private readonly pool: DeepSeekPoolService) {}

  @Get()
  list(): KeySnapshot[] {
    return this.pool.snapshot().keys;
  }

  @Get('export')
  export(): { keys: ReturnType<DeepSeekPoolService['exportKeys']> } {
    return { keys: this.pool.exportKeys() };
  }

  @Post()
  add(@Body() body: KeyOptions): KeySnapshot {
    return this.pool.addKey(body);
  }

  @Post('import')
  import(@Body() body: { keys?: KeyOptions[] } | undefined): { added: KeySnapshot[] } {
    if (!Array.isArray(body?.keys)) throw new InvalidOptionsError('keys', 'must be an array of key objects');
    return { added: this.pool.addKeys(body.keys) };
  }

  @Put(':id/secret')
  replace(@Param('id') id: string, @Body() body: { apiKey?: string } | undefined): KeySnapshot {
    if (typeof body?.apiKey !== 'string') throw new InvalidOptionsError('apiKey', 'must be a string');
    return this.pool.replaceKey(id, body.apiKey);
  }

  @Post(':id/disable')
  @HttpCode(200)
  disable(@Param('id') id: string): KeySnapshot {
    this.pool.disableKey(id);
    return this.keyState(id);
  }

  @Post(':id/enable')
  @HttpCode(200)
  enable(@Param('id') id: string): KeySnapshot {
    this.pool.enableKey(id);
    return this.keyState(id);
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id') id: string): Promise<void> {
    await this.pool.removeKey(id);
  }

  private keyState(id: string): KeySnapshot {
    const snapshot = this.pool.keySnapshot(id);
    // removed between the action and this read: the same error as an action on an unknown key
    if (!snapshot) throw new UnknownKeyError(id);
    return snapshot;
  }
}
