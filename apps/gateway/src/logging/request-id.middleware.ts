import type { NextFunction, Request, Response } from 'express';
import { requestId } from './request-log.js';

/** Gives every request an id and echoes it as `x-request-id`. */
export function requestIdMiddleware(request: Request, response: Response, next: NextFunction): void {
  response.setHeader('x-request-id', requestId(request));
  next();
}
