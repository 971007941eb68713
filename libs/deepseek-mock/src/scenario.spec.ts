import { describe, expect, it } from '@jest/globals';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadScenario, parseScenario } from './scenario.js';
import { must } from './spec-support.js';
import { ScenarioError } from './validate.js';

/**
 * The bundled scenarios (Jest runs from the repository root; this package compiles to CommonJS, without import.meta).
 */
const SCENARIOS = resolve('libs/deepseek-mock/scenarios');

describe('parseScenario', () => {
  it('accepts a full scenario, from JSON text or a value', () => {
    const scenario = {
      models: ['deepseek-flash'],
      pricing: { inputPerM: 0.3 },
      defaults: { latencyMs: 20, jitterMs: 5 },
      accounts: { 'acct-a': { maxConcurrency: 2, balance: 10, grantedBalance: 1, currency: 'CNY' } },
      keys: [
        {
          key: 'sk-mock-1',
          name: 'one',
          account: 'acct-a',
          errorRates: { '500': 0.2, '503': 0.1 },
          longTail: { probability: 0.01, extraMs: 1000 },
          outage: { fromMs: 0, toMs: 100, status: 500 },
          keepAlive: { intervalMs: 100, afterMs: 1000, then: 'close' },
          rateLimit: { requests: 10, windowMs: 1000 },
          reply: '',
        },
      ],
    };
    expect(parseScenario(scenario)).toEqual(scenario);
    expect(parseScenario(JSON.stringify(scenario))).toEqual(scenario);
  });

  it.each([
    [{}, /^keys: required/],
    [{ keys: {} }, /^keys: expected an array/],
    [{ keys: [{}] }, /^keys\[0\]\.key: required/],
    [{ keys: [{ key: 'k', latencyMs: -1 }] }, /^keys\[0\]\.latencyMs: expected a number >= 0, got -1/],
    [{ keys: [{ key: 'k', latency: 5 }] }, /^keys\[0\]\.latency: unknown field/],
    [{ keys: [{ key: 'k', status: 404 }] }, /^keys\[0\]\.status: expected one of 401, 402, 429, 500, 503, got 404/],
    [{ keys: [{ key: 'k', errorRates: { '404': 0.1 } }] }, /^keys\[0\]\.errorRates\.404: expected one of "401"/],
    [{ keys: [{ key: 'k', errorRates: { '500': 0.7, '503': 0.7 } }] }, /^keys\[0\]\.errorRates: rates add up to 1\.4/],
    [{ keys: [{ key: 'k', outage: { fromMs: 5, toMs: 5 } }] }, /^keys\[0\]\.outage: toMs must be after fromMs/],
    [
      { keys: [{ key: 'k', keepAlive: { intervalMs: 10, afterMs: 5, then: 'wait' } }] },
      /^keys\[0\]\.keepAlive\.then: expected one of/,
    ],
    [{ keys: [{ key: 'k', account: 'ghost' }] }, /^keys\[0\]\.account: account "ghost" is not declared/],
    [{ keys: [{ key: 'k' }, { key: 'j', name: 'k' }] }, /^keys\[1\]: key or name clashes with key "k"/],
    [
      { accounts: { a: { balance: 1, grantedBalance: 2 } }, keys: [] },
      /^accounts\.a: grantedBalance is more than balance/,
    ],
    ['{"keys": [', /^scenario is not valid JSON/],
  ])('rejects %j naming the field', (input, message) => {
    expect(() => parseScenario(input)).toThrow(ScenarioError);
    expect(() => parseScenario(input)).toThrow(message);
  });
});

describe('bundled scenarios', () => {
  it('all load and validate', async () => {
    const files = (await readdir(SCENARIOS)).filter((f) => f.endsWith('.json'));
    expect(files).toEqual(
      expect.arrayContaining(['demo.json', 'fast.json', 'latency-50ms.json', 'unequal-accounts.json']),
    );
    for (const file of files) await expect(loadScenario(join(SCENARIOS, file))).resolves.toHaveProperty('keys');
  });

  it('demo.json has the demo cast', async () => {
    const demo = await loadScenario(join(SCENARIOS, 'demo.json'));
    const byName = new Map(demo.keys.map((k) => [k.name, k]));
    const named = (name: string) => must(byName.get(name), `the key named ${name}`);
    expect(named('revoked')).toMatchObject({ key: expect.stringMatching(/^sk-demo-revoked-/), status: 401 });
    expect(named('flaky').errorRates).toEqual({ '500': 0.15, '503': 0.15 });
    expect(named('ratelimited').rateLimit).toBeDefined();
    expect(named('slow').latencyMs).toBe(10 * must(demo.defaults?.latencyMs, 'defaults.latencyMs'));
  });

  it('unequal-accounts.json has ceilings 2 / 2 / 16, one key each', async () => {
    const s = await loadScenario(join(SCENARIOS, 'unequal-accounts.json'));
    const accounts = must(s.accounts, 'accounts');
    expect(Object.values(accounts).map((a) => a.maxConcurrency)).toEqual([2, 2, 16]);
    expect(s.keys.map((k) => k.account)).toEqual(Object.keys(accounts));
  });

  it('names the file in load errors', async () => {
    await expect(loadScenario(join(SCENARIOS, '../package.json'))).rejects.toThrow(
      /^\/.*\/package\.json: name: unknown field/,
    );
  });
});
