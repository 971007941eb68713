import { type HeaderShape, UpstreamHeaderCache, upstreamHeaders } from './upstream-headers.js';

const CONFIG = { apiKey: 'sk-test-1', headers: { 'x-org': 'acme', authorization: 'ignored' } };
const JSON_POST: HeaderShape = { accept: 'application/json', jsonBody: true };
const SSE_POST: HeaderShape = { accept: 'text/event-stream', jsonBody: true };
const JSON_GET: HeaderShape = { accept: 'application/json', jsonBody: false };

describe('upstreamHeaders', () => {
  it.each([
    [
      'a JSON POST',
      JSON_POST,
      {},
      {
        'x-org': 'acme',
        authorization: 'Bearer sk-test-1',
        accept: 'application/json',
        'content-type': 'application/json',
      },
    ],
    [
      'a stream',
      SSE_POST,
      {},
      {
        'x-org': 'acme',
        authorization: 'Bearer sk-test-1',
        accept: 'text/event-stream',
        'content-type': 'application/json',
      },
    ],
    ['a GET', JSON_GET, {}, { 'x-org': 'acme', authorization: 'Bearer sk-test-1', accept: 'application/json' }],
    [
      'trace context, which cannot override the pool`s own',
      JSON_GET,
      { traceparent: '00-1-2-01', 'x-org': 'trace', accept: 'x' },
      { 'x-org': 'trace', traceparent: '00-1-2-01', authorization: 'Bearer sk-test-1', accept: 'application/json' },
    ],
  ])('builds %s', (_, shape, extra, expected) => {
    expect(upstreamHeaders(CONFIG, shape, extra)).toStrictEqual(expected);
  });
});

describe('UpstreamHeaderCache', () => {
  it('builds each shape once, frozen, and the same as upstreamHeaders', () => {
    const cache = new UpstreamHeaderCache(CONFIG);
    const first = cache.get(JSON_POST, {});
    expect(cache.get(JSON_POST, {})).toBe(first);
    expect(first).toStrictEqual(upstreamHeaders(CONFIG, JSON_POST));
    expect(Object.isFrozen(first)).toBe(true);
    expect(cache.get(SSE_POST, {})).toStrictEqual(upstreamHeaders(CONFIG, SSE_POST));
    expect(cache.get(JSON_GET, {})).toStrictEqual(upstreamHeaders(CONFIG, JSON_GET));
    expect(cache.get(JSON_GET, {})).not.toBe(first);
  });

  it('builds headers per call when the attempt has trace context', () => {
    const cache = new UpstreamHeaderCache(CONFIG);
    const traced = cache.get(JSON_POST, { traceparent: '00-1-2-01' });
    expect(traced).toStrictEqual(upstreamHeaders(CONFIG, JSON_POST, { traceparent: '00-1-2-01' }));
    expect(cache.get(JSON_POST, {})).not.toHaveProperty('traceparent');
  });
});
