import { fileURLToPath } from 'node:url';
import { GatewayConfigError } from './gateway-config-error.js';
import { loadGatewayConfig } from './gateway-config.js';

const example = fileURLToPath(new URL('../../gateway.config.example.json', import.meta.url));

describe('loadGatewayConfig', () => {
  it('runs the demo on the embedded mock when no keys are configured, open, on 127.0.0.1:3000', () => {
    expect(loadGatewayConfig({})).toMatchObject({
      mode: 'demo',
      host: '127.0.0.1',
      port: 3000,
      clientTokens: [],
      adminToken: undefined,
      degradation: {},
      requestLog: 'all',
      logFormat: 'text',
      logFlushMs: 50,
    });
  });

  it('reads keys, base URL, tokens and port from the environment', () => {
    const config = loadGatewayConfig({
      DEEPSEEK_API_KEYS: 'sk-a1234567890,sk-b1234567890',
      DEEPSEEK_BASE_URL: 'http://127.0.0.1:9999/v1',
      GATEWAY_TOKENS: 't1, t2',
      GATEWAY_ADMIN_TOKEN: 'adm',
      PORT: '8080',
      GATEWAY_DEGRADE: 'false',
    });
    expect(config).toMatchObject({
      mode: 'upstream',
      port: 8080,
      clientTokens: ['t1', 't2'],
      adminToken: 'adm',
      degradation: undefined,
      pool: { keys: 'sk-a1234567890,sk-b1234567890', defaultBaseUrl: 'http://127.0.0.1:9999/v1' },
    });
  });

  it('reads the documented example file, the environment winning over it', () => {
    const config = loadGatewayConfig({ GATEWAY_CONFIG: example, PORT: '4000' });
    expect(config).toMatchObject({
      mode: 'upstream',
      host: '0.0.0.0',
      port: 4000,
      clientTokens: ['REPLACE-client-token'],
      adminToken: 'REPLACE-admin-token',
      requestLog: 'failures',
      logFormat: 'json',
    });
    expect(config.pool).toMatchObject({ strategy: 'p2c-ewma', accounts: { 'acct-main': { maxConcurrency: 400 } } });
    expect(config.degradation).toMatchObject({ cacheTtlMs: 3_600_000, fallback: { as: 'error' } });
  });

  it('reads the request log mode, format and flush window from the environment', () => {
    expect(
      loadGatewayConfig({ GATEWAY_REQUEST_LOG: 'off', GATEWAY_LOG_FORMAT: 'json', GATEWAY_LOG_FLUSH_MS: '0' }),
    ).toMatchObject({ requestLog: 'off', logFormat: 'json', logFlushMs: 0 });
    expect(
      loadGatewayConfig({ GATEWAY_CONFIG: 'inline.json' }, () => '{"gateway":{"logFlushMs":200}}').logFlushMs,
    ).toBe(200);
  });

  it('bounds how long a client may take to send its headers and its request (defaults 10 s and 30 s)', () => {
    expect(loadGatewayConfig({})).toMatchObject({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 });
    expect(
      loadGatewayConfig({ GATEWAY_HEADERS_TIMEOUT_MS: '5000', GATEWAY_REQUEST_TIMEOUT_MS: '20000' }),
    ).toMatchObject({ headersTimeoutMs: 5_000, requestTimeoutMs: 20_000 });
  });

  it.each<[string, string, NodeJS.ProcessEnv]>([
    [
      'a request timeout that is not a positive integer',
      'GATEWAY_REQUEST_TIMEOUT_MS',
      { GATEWAY_REQUEST_TIMEOUT_MS: '0' },
    ],
    ['a headers timeout that is not a number', 'GATEWAY_HEADERS_TIMEOUT_MS', { GATEWAY_HEADERS_TIMEOUT_MS: 'soon' }],
    [
      'a headers timeout over the request timeout',
      'GATEWAY_HEADERS_TIMEOUT_MS',
      { GATEWAY_HEADERS_TIMEOUT_MS: '20000', GATEWAY_REQUEST_TIMEOUT_MS: '10000' },
    ],
    ['real keys without client tokens', 'GATEWAY_TOKENS', { DEEPSEEK_API_KEYS: 'sk-a1234567890' }],
    ['a port out of range', 'PORT', { PORT: '70000' }],
    ['a port that is not a number', 'PORT', { PORT: 'http' }],
    ['a flag that is not a boolean', 'GATEWAY_DEGRADE', { GATEWAY_DEGRADE: 'maybe' }],
    ['an unknown fallback mode', 'GATEWAY_FALLBACK', { GATEWAY_FALLBACK: 'silence' }],
    ['an unknown request log mode', 'GATEWAY_REQUEST_LOG', { GATEWAY_REQUEST_LOG: 'sometimes' }],
    ['an unknown log format', 'GATEWAY_LOG_FORMAT', { GATEWAY_LOG_FORMAT: 'xml' }],
    ['a log flush window over a second', 'GATEWAY_LOG_FLUSH_MS', { GATEWAY_LOG_FLUSH_MS: '1001' }],
    ['a log flush window that is not an integer', 'GATEWAY_LOG_FLUSH_MS', { GATEWAY_LOG_FLUSH_MS: '2.5' }],
    ['a config file that does not exist', 'GATEWAY_CONFIG', { GATEWAY_CONFIG: '/nonexistent/gateway.json' }],
  ])('rejects %s, naming %s', (_case, field, env) => {
    expect(() => loadGatewayConfig(env)).toThrow(GatewayConfigError);
    expect(() => loadGatewayConfig(env)).toThrow(`"${field}"`);
  });

  it('rejects a config file that is not a JSON object, without echoing its content', () => {
    const load = () => loadGatewayConfig({ GATEWAY_CONFIG: 'inline.json' }, () => '["sk-secret-in-a-list-0000"]');
    expect(load).toThrow(/GATEWAY_CONFIG/);
    expect(load).not.toThrow(/sk-secret/);
  });

  it('allows real keys without client tokens only when asked to, on a trusted network', () => {
    expect(
      loadGatewayConfig({ DEEPSEEK_API_KEYS: 'sk-a1234567890', GATEWAY_ALLOW_ANONYMOUS: 'true' }).clientTokens,
    ).toEqual([]);
  });
});
