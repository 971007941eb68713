import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import {
  DeepSeekPoolAdmin,
  UnknownKeyError,
  DeepSeekPoolService,
  type ExportedKey,
  InvalidOptionsError,
  type KeyOptions,
  type KeySnapshot,
} from 'nestjs-deepseek-pool';
import { AdminTokenGuard } from '../auth/admin-token.guard.js';
import { JsonBodyGuard } from '../http/json-body.guard.js';

/**
 * Key administration behind GATEWAY_ADMIN_TOKEN: list (masked), add, disable / enable, remove (drains in-flight
 * requests first), replace the secret (rotation without restart), bulk import and export. Nothing returned
 * here ever holds a secret.
 */
@Controller('admin/keys')
@UseGuards(AdminTokenGuard, JsonBodyGuard)
export class AdminController {
  constructor(
    private readonly pool: DeepSeekPoolService,
    private readonly admin: DeepSeekPoolAdmin,
  ) {}

  @Get()
  list(): KeySnapshot[] {
    return this.pool.snapshot().keys;
  }

  @Get('export')
  export(): { keys: ExportedKey[] } {
    return { keys: this.admin.exportKeys() };
  }

  @Post()
  add(@Body() body: KeyOptions): KeySnapshot {
    return this.admin.addKey(body);
  }

  @Post('import')
  import(@Body() body: { keys?: KeyOptions[] } | undefined): { added: KeySnapshot[] } {
    if (!Array.isArray(body?.keys)) throw new InvalidOptionsError('keys', 'must be an array of key objects');
    return { added: this.admin.addKeys(body.keys) };
  }

  @Put(':id/secret')
  replace(@Param('id') id: string, @Body() body: { apiKey?: string } | undefined): KeySnapshot {
    if (typeof body?.apiKey !== 'string') throw new InvalidOptionsError('apiKey', 'must be a string');
    return this.admin.replaceKey(id, body.apiKey);
  }

  @Post(':id/disable')
  @HttpCode(200)
  disable(@Param('id') id: string): KeySnapshot {
    this.admin.disableKey(id);
    return this.keyState(id);
  }

  @Post(':id/enable')
  @HttpCode(200)
  enable(@Param('id') id: string): KeySnapshot {
    this.admin.enableKey(id);
    return this.keyState(id);
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id') id: string): Promise<void> {
    await this.admin.removeKey(id);
  }

  private keyState(id: string): KeySnapshot {
    const snapshot = this.pool.keySnapshot(id);
    // removed between the action and this read: the same error as an action on an unknown key
    if (!snapshot) throw new UnknownKeyError(id);
    return snapshot;
  }
}
