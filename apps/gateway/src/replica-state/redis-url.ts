/**
 * Checks `REDIS_URL` (a `redis://` or `rediss://` URL): the returned problem names what is wrong without echoing the
 * URL, which may hold a password. Undefined: the URL is fine.
 */
export function redisUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be a redis:// or rediss:// URL (e.g. redis://redis:6379)';
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    return `must use redis:// or rediss:// (got ${parsed.protocol}//)`;
  if (parsed.hostname === '') return 'must name a host (e.g. redis://redis:6379)';
  return undefined;
}

/** The password in `REDIS_URL` (decoded), to redact from everything that leaves the process; undefined without one. */
export function redisUrlPassword(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password === '' ? undefined : password;
  } catch {
    return undefined;
  }
}
