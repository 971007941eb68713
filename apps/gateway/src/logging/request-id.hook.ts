import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { requestId } from './request-log.js';

/** Gives every request an id and echoes it as `x-request-id` (on the Node response: streamed answers carry it too). */
export function requestIdHook(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  reply.raw.setHeader('x-request-id', requestId(request));
  done();
}
