import { closeSync, openSync, readSync } from 'node:fs';
import { GatewayConfigError } from './gateway-config-error.js';

/** Variables that may come from a file instead (Docker or Kubernetes secrets): `X_FILE=/run/secrets/x` sets `X`. */
export const SECRET_VARIABLES = [
  'DEEPSEEK_API_KEYS',
  'GATEWAY_TOKENS',
  'GATEWAY_ADMIN_TOKEN',
  'GATEWAY_METRICS_TOKEN',
  'REDIS_URL',
] as const;

/** A secret file larger than this is refused (a key list of thousands of keys still fits). */
export const MAX_SECRET_FILE_BYTES = 256 * 1024;

/**
 * The environment with every `X_FILE` of SECRET_VARIABLES read into `X` (trailing newlines dropped). Errors name the
 * variable and the path, never the content: both `X` and `X_FILE` set, an unreadable file, or one over the size cap.
 */
export function withSecretFiles(
  env: NodeJS.ProcessEnv,
  readFile: (path: string, maxBytes: number) => string = readBounded,
): NodeJS.ProcessEnv {
  const resolved: NodeJS.ProcessEnv = { ...env };
  for (const name of SECRET_VARIABLES) {
    const path = env[`${name}_FILE`]?.trim();
    if (!path) continue;
    if (env[name]?.trim()) throw new GatewayConfigError(`${name}_FILE`, `set either ${name} or ${name}_FILE, not both`);
    let text: string;
    try {
      text = readFile(path, MAX_SECRET_FILE_BYTES);
    } catch (error) {
      throw new GatewayConfigError(
        `${name}_FILE`,
        `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
    resolved[name] = text.replace(/[\r\n]+$/, '');
  }
  return resolved;
}

/** Reads at most `maxBytes` of a file; a larger file is an error. */
function readBounded(path: string, maxBytes: number): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (let read = -1; read !== 0 && length <= maxBytes; length += read)
      read = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > maxBytes) throw new Error(`larger than ${maxBytes} bytes`);
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
