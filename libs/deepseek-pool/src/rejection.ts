import { types } from 'node:util';

/**
 * A synchronous throw as a rejected promise (an Error as thrown, from any realm; anything else wrapped in one), for
 * the functions of the call path that return a promise without being async: an async wrapper costs a promise and
 * three microtask turns.
 */
export function rejection(thrown: unknown): Promise<never> {
  return Promise.reject(types.isNativeError(thrown) ? thrown : new Error(String(thrown)));
}
