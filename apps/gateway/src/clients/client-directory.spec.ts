import { describe, expect, it } from '@jest/globals';
import { ConflictException, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { InvalidOptionsError } from 'nestjs-deepseek-pool';
import { ClientDirectory } from './client-directory.js';
import type { ClientRecord } from './client-spec.js';
import { MemoryClientStore } from './client-store.js';
import { hashClientToken } from './client-token.js';

const CONFIG_TOKEN = 'config-token-0123456789';
const CONFIG: ClientRecord = {
  name: 'from-file',
  limits: {},
  source: 'config',
  tokenSha256: hashClientToken(CONFIG_TOKEN),
  tokenHint: 'gwc-…6789',
  createdAt: '',
  updatedAt: '',
};

function directory(store = new MemoryClientStore()): ClientDirectory {
  return new ClientDirectory([CONFIG], store, () => Date.UTC(2026, 0, 15));
}

describe('ClientDirectory', () => {
  it('issues a token once, finds the client by it, and lists only a hint of it', async () => {
    // Arrange
    const clients = directory();

    // Act
    const { client, token } = await clients.create({ name: 'web', tenant: 'acme', limits: { requestsPerMinute: 5 } });

    // Assert
    expect(token).toMatch(/^gwc-[A-Za-z0-9_-]{43}$/);
    expect(client).toEqual({
      name: 'web',
      tenant: 'acme',
      limits: { requestsPerMinute: 5 },
      source: 'api',
      tokenHint: `gwc-…${token.slice(-4)}`,
      createdAt: '2026-01-15T00:00:00.000Z',
      updatedAt: '2026-01-15T00:00:00.000Z',
    });
    expect(clients.find(token)?.name).toBe('web');
    expect(clients.find(CONFIG_TOKEN)?.name).toBe('from-file');
    expect(JSON.stringify(clients.list())).not.toContain(token);
    expect(JSON.stringify(clients.list())).not.toContain(hashClientToken(token));
  });

  it('rotates: the new token works, the old one is refused', async () => {
    const clients = directory();
    const { token: old } = await clients.create({ name: 'web' });

    const { token } = await clients.rotate('web');

    expect(clients.find(old)).toBeUndefined();
    expect(clients.find(token)?.name).toBe('web');
  });

  it('updates the fields given, clears those set to null, and keeps the token', async () => {
    const clients = directory();
    const { token } = await clients.create({
      name: 'web',
      tenant: 'acme',
      models: ['deepseek-v4-flash'],
      limits: { requestsPerMinute: 5 },
    });

    const updated = await clients.update('web', { tenant: null, limits: { usdPerDay: 3 } });

    expect(updated).toMatchObject({ models: ['deepseek-v4-flash'], limits: { usdPerDay: 3 } });
    expect(updated).not.toHaveProperty('tenant');
    expect(clients.find(token)?.limits).toEqual({ usdPerDay: 3 });
  });

  it('revokes: the token is refused at once, and an update cannot bring the client back', async () => {
    const store = new MemoryClientStore();
    const [here, there] = [directory(store), directory(store)];
    const { token } = await here.create({ name: 'web' });
    await there.refresh();

    await here.revoke('web');

    expect(here.find(token)).toBeUndefined();
    await expect(there.update('web', { tenant: 'x' })).rejects.toThrow(NotFoundException);
    expect(there.find(token)).toBeUndefined();
  });

  it.each([
    ['a second client of the same name', (c: ClientDirectory) => c.create({ name: 'web' }), ConflictException],
    [
      'a client named like one of GATEWAY_CLIENTS',
      (c: ClientDirectory) => c.create({ name: 'from-file' }),
      ConflictException,
    ],
    ['changing a client of GATEWAY_CLIENTS', (c: ClientDirectory) => c.rotate('from-file'), ConflictException],
    ['revoking an unknown client', (c: ClientDirectory) => c.revoke('nobody'), NotFoundException],
    [
      'a bad limit',
      (c: ClientDirectory) => c.create({ name: 'other', limits: { tokensPerMinute: 0 } }),
      InvalidOptionsError,
    ],
    ['a body that is not an object', (c: ClientDirectory) => c.update('web', [1]), InvalidOptionsError],
  ])('refuses %s', async (_label, act, error) => {
    const clients = directory();
    await clients.create({ name: 'web' });

    await expect(act(clients)).rejects.toThrow(error);
  });

  it('refuses changes while the store is unreachable (503) and keeps the clients it knows', async () => {
    // Arrange
    const store = new MemoryClientStore();
    const clients = directory(store);
    const { token } = await clients.create({ name: 'web' });
    const down = (): Promise<never> => Promise.reject(new Error('ECONNREFUSED'));
    Object.assign(store, { load: down, create: down, replace: down, remove: down });

    // Act + Assert
    await expect(clients.create({ name: 'other' })).rejects.toThrow(ServiceUnavailableException);
    await expect(clients.refresh()).rejects.toThrow('ECONNREFUSED');
    expect(clients.find(token)?.name).toBe('web');
  });
});
