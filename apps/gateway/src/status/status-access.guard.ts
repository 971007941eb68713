import {
  type CanActivate,
  type ExecutionContext,
  Injectable,
  NotFoundException,
  UnauthorizedException,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { StatusAccess } from './status-access.js';

/** Guards the status data: 404 when the page is off, 401 without the admin token when one is set. */
@Injectable()
export class StatusAccessGuard implements CanActivate {
  constructor(private readonly access: StatusAccess) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.access.mode === 'off') throw new NotFoundException();
    if (this.access.allows(context.switchToHttp().getRequest<FastifyRequest>())) return true;
    throw new UnauthorizedException('Invalid or missing admin token: send Authorization: Bearer <GATEWAY_ADMIN_TOKEN>');
  }
}
