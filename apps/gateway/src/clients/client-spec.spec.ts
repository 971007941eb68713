import { describe, expect, it } from '@jest/globals';
import { GatewayConfigError } from '../config/gateway-config-error.js';
import { parseConfigClients } from './client-spec.js';
import { hashClientToken } from './client-token.js';

const fail = (field: string, problem: string): Error => new GatewayConfigError(field, problem);
const NOW = '2026-01-15T12:00:00.000Z';
const TOKEN = 'client-token-0123456789';

describe('parseConfigClients', () => {
  it('keeps the hash of a plain token, never the token', () => {
    // Act
    const [client] = parseConfigClients(
      [
        {
          name: 'web',
          token: TOKEN,
          models: ['deepseek-v4-flash'],
          limits: { requestsPerMinute: 60, usdPerDay: 2.5 },
          priorities: [0],
        },
      ],
      'GATEWAY_CLIENTS',
      fail,
      NOW,
    );

    // Assert
    expect(client).toEqual({
      name: 'web',
      models: ['deepseek-v4-flash'],
      limits: { requestsPerMinute: 60, usdPerDay: 2.5 },
      priorities: [0],
      source: 'config',
      tokenSha256: hashClientToken(TOKEN),
      tokenHint: 'gwc-…6789',
      createdAt: NOW,
      updatedAt: NOW,
    });
    expect(JSON.stringify(client)).not.toContain(TOKEN);
  });

  it('takes a token given as its SHA-256', () => {
    const [client] = parseConfigClients(
      [{ name: 'batch', tokenSha256: hashClientToken(TOKEN) }],
      'GATEWAY_CLIENTS',
      fail,
      NOW,
    );
    expect(client).toMatchObject({
      tokenSha256: hashClientToken(TOKEN),
      tokenHint: `sha256:${hashClientToken(TOKEN).slice(0, 8)}`,
      limits: {},
    });
  });

  it.each([
    ['not an array', {}, 'GATEWAY_CLIENTS'],
    ['a bad name', [{ name: 'a b', token: TOKEN }], 'GATEWAY_CLIENTS[0].name'],
    ['no token', [{ name: 'a' }], 'GATEWAY_CLIENTS[0].token'],
    [
      'both token forms',
      [{ name: 'a', token: TOKEN, tokenSha256: hashClientToken(TOKEN) }],
      'GATEWAY_CLIENTS[0].token',
    ],
    ['a short token', [{ name: 'a', token: 'short' }], 'GATEWAY_CLIENTS[0].token'],
    ['a bad hash', [{ name: 'a', tokenSha256: 'abc' }], 'GATEWAY_CLIENTS[0].tokenSha256'],
    [
      'a fractional request limit',
      [{ name: 'a', token: TOKEN, limits: { requestsPerMinute: 1.5 } }],
      'GATEWAY_CLIENTS[0].limits.requestsPerMinute',
    ],
    [
      'a negative budget',
      [{ name: 'a', token: TOKEN, limits: { usdPerMonth: -1 } }],
      'GATEWAY_CLIENTS[0].limits.usdPerMonth',
    ],
    [
      'an unknown limit',
      [{ name: 'a', token: TOKEN, limits: { requestsPerHour: 5 } }],
      'GATEWAY_CLIENTS[0].limits.requestsPerHour',
    ],
    ['an unknown field', [{ name: 'a', token: TOKEN, budget: 5 }], 'GATEWAY_CLIENTS[0].budget'],
    ['empty models', [{ name: 'a', token: TOKEN, models: [] }], 'GATEWAY_CLIENTS[0].models'],
    ['non-integer priorities', [{ name: 'a', token: TOKEN, priorities: ['0'] }], 'GATEWAY_CLIENTS[0].priorities'],
    [
      'a name used twice',
      [
        { name: 'a', token: TOKEN },
        { name: 'a', token: `${TOKEN}x` },
      ],
      'GATEWAY_CLIENTS[1].name',
    ],
  ])('rejects %s, naming the field and never the token', (_label, value, field) => {
    // Act
    const attempt = (): unknown => parseConfigClients(value, 'GATEWAY_CLIENTS', fail, NOW);

    // Assert
    expect(attempt).toThrow(GatewayConfigError);
    expect(attempt).toThrow(`"${field}"`);
    expect(() => attempt()).not.toThrow(TOKEN);
  });
});
