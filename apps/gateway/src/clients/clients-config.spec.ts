import { describe, expect, it } from '@jest/globals';
import { GatewayConfigError } from '../config/gateway-config-error.js';
import { loadGatewayConfig } from '../config/gateway-config.js';
import { hashClientToken } from './client-token.js';

const KEYS = { DEEPSEEK_API_KEYS: 'sk-config-clients-0000001' };
const CLIENTS = JSON.stringify([
  { name: 'web', token: 'client-token-web-0123456789', limits: { requestsPerMinute: 5 } },
]);
const noFile = (): string => {
  throw new Error('ENOENT');
};

describe('GATEWAY_CLIENTS and REDIS_URL', () => {
  it('reads an inline list: real keys need no GATEWAY_TOKENS then', () => {
    // Act
    const config = loadGatewayConfig({ ...KEYS, GATEWAY_CLIENTS: CLIENTS, REDIS_URL: 'redis://10.0.0.9:6379' }, noFile);

    // Assert
    expect(config.clients).toMatchObject({
      records: [{ name: 'web', tokenSha256: hashClientToken('client-token-web-0123456789') }],
      redisUrl: 'redis://10.0.0.9:6379',
      redisPrefix: 'dsp:gw:',
      plainTokens: ['client-token-web-0123456789'],
    });
    expect(config.clientTokens).toEqual([]);
  });

  it('keeps plain tokens only for redaction: a hashed entry has none to keep', () => {
    // Arrange
    const hashed = JSON.stringify([{ name: 'app', tokenSha256: hashClientToken('client-token-app-0123456789') }]);

    // Act
    const config = loadGatewayConfig({ ...KEYS, GATEWAY_CLIENTS: hashed }, noFile);

    // Assert
    expect(config.clients?.plainTokens).toEqual([]);
  });

  it('reads a file named by GATEWAY_CLIENTS, then the gateway.clients section of GATEWAY_CONFIG', () => {
    const files: Record<string, string> = {
      '/etc/clients.json': CLIENTS,
      '/etc/gateway.json': JSON.stringify({ gateway: { clients: [], redisPrefix: 'gw1:' } }),
    };
    const read = (path: string): string => files[path] ?? noFile();

    expect(loadGatewayConfig({ ...KEYS, GATEWAY_CLIENTS: '/etc/clients.json' }, read).clients?.records).toHaveLength(1);
    expect(loadGatewayConfig({ ...KEYS, GATEWAY_CONFIG: '/etc/gateway.json' }, read).clients).toMatchObject({
      records: [],
      redisPrefix: 'gw1:',
    });
  });

  it('still needs GATEWAY_TOKENS or GATEWAY_CLIENTS with real keys', () => {
    expect(() => loadGatewayConfig(KEYS, noFile)).toThrow('"GATEWAY_TOKENS"');
  });

  it.each([
    ['an unreadable file', '/missing.json', 'cannot read /missing.json'],
    ['invalid JSON', '[{', 'is not valid JSON'],
    ['a bad client', '[{"name":"web"}]', '"GATEWAY_CLIENTS[0].token"'],
  ])('rejects %s, naming GATEWAY_CLIENTS', (_label, value, message) => {
    expect(() => loadGatewayConfig({ ...KEYS, GATEWAY_CLIENTS: value }, noFile)).toThrow(GatewayConfigError);
    expect(() => loadGatewayConfig({ ...KEYS, GATEWAY_CLIENTS: value }, noFile)).toThrow(message);
  });
});
