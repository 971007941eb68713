import type { KeyConfig } from './key-config.js';

/** What an upstream request carries besides the key's own headers. */
export interface HeaderShape {
  /** The `accept` header (`application/json`, `text/event-stream`). */
  accept: string;
  /** Whether a JSON body goes with it (adds `content-type: application/json`). */
  jsonBody: boolean;
}

/**
 * The headers of a request to `config`'s upstream: the key's extra headers, then `extra` (the attempt's trace
 * context), then the ones the pool owns (authorization, accept, content-type), which nothing overrides.
 */
export function upstreamHeaders(
  config: Pick<KeyConfig, 'apiKey' | 'headers'>,
  shape: HeaderShape,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return {
    ...config.headers,
    ...extra,
    authorization: `Bearer ${config.apiKey}`,
    accept: shape.accept,
    ...(shape.jsonBody ? { 'content-type': 'application/json' } : {}),
  };
}

/**
 * One key's request headers without trace context, built once per shape and frozen (shared by every call; a transport
 * must not change them).
 */
export class UpstreamHeaderCache {
  /** By accept value: without a body, with a JSON body. */
  private readonly built = [
    new Map<string, Readonly<Record<string, string>>>(),
    new Map<string, Readonly<Record<string, string>>>(),
  ];

  constructor(private readonly config: Pick<KeyConfig, 'apiKey' | 'headers'>) {}

  /** The headers for `shape`, with `extra` merged in when it has any (then built for this call). */
  get(shape: HeaderShape, extra: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
    if (!isEmpty(extra)) return upstreamHeaders(this.config, shape, extra);
    const built = this.built[shape.jsonBody ? 1 : 0];
    let headers = built.get(shape.accept);
    if (headers === undefined) {
      headers = Object.freeze(upstreamHeaders(this.config, shape));
      built.set(shape.accept, headers);
    }
    return headers;
  }
}

function isEmpty(record: Readonly<Record<string, string>>): boolean {
  for (const name in record) if (Object.hasOwn(record, name)) return false;
  return true;
}
