/** A base URL split for connection pooling: one pool per `origin`, `pathPrefix` prepended to every path. */
export interface UpstreamTarget {
  /** scheme://host[:port], e.g. http://127.0.0.1:8080 */
  origin: string;
  /** The base URL's path without a trailing slash, e.g. '/v1' or ''. */
  pathPrefix: string;
}

/** Splits `http://host:1/v1/` into origin `http://host:1` and path prefix `/v1`. */
export function splitBaseUrl(baseUrl: string): UpstreamTarget {
  const url = new URL(baseUrl);
  return { origin: url.origin, pathPrefix: trimTrailingSlashes(url.pathname) };
}

/** Joins a base URL (with or without a path or trailing slash) and a path starting with '/'. */
export function joinUrl(baseUrl: string, path: string): string {
  return trimTrailingSlashes(baseUrl) + path;
}

function trimTrailingSlashes(value: string): string {
  let end = value.length;
  while (end > 0 && value.charCodeAt(end - 1) === 0x2f) end--;
  return end === value.length ? value : value.slice(0, end);
}
