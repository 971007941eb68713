import type { DirectCallResult } from '../../transport/direct-call.js';
import { type ProbeSignal, balanceAvailable, hasBalanceEndpoint, probeSignal, readmitDelayMs } from './probe-signal.js';

describe('probeSignal', () => {
  it.each<[string, Pick<DirectCallResult, 'ok' | 'outcome' | 'status'>, ProbeSignal]>([
    ['200', { ok: true, outcome: 'success', status: 200 }, { kind: 'success' }],
    ['401 revokes', { ok: false, outcome: 'http', status: 401 }, { kind: 'disable', reason: 'revoked' }],
    [
      '402 empties the account',
      { ok: false, outcome: 'http', status: 402 },
      { kind: 'disable', reason: 'insufficient-balance' },
    ],
    ['403 forbids', { ok: false, outcome: 'http', status: 403 }, { kind: 'disable', reason: 'forbidden' }],
    ['429: alive, only limited', { ok: false, outcome: 'http', status: 429 }, { kind: 'neutral' }],
    ['404: no such endpoint here', { ok: false, outcome: 'http', status: 404 }, { kind: 'neutral' }],
    ['405: no such endpoint here', { ok: false, outcome: 'http', status: 405 }, { kind: 'neutral' }],
    ['501: no such endpoint here', { ok: false, outcome: 'http', status: 501 }, { kind: 'neutral' }],
    ['400: not the key', { ok: false, outcome: 'http', status: 400 }, { kind: 'neutral' }],
    ['500', { ok: false, outcome: 'http', status: 500 }, { kind: 'failure' }],
    ['503', { ok: false, outcome: 'http', status: 503 }, { kind: 'failure' }],
    ['408', { ok: false, outcome: 'http', status: 408 }, { kind: 'failure' }],
    ['timeout', { ok: false, outcome: 'timeout' }, { kind: 'failure' }],
    ['network', { ok: false, outcome: 'network' }, { kind: 'failure' }],
    ['blank 200 body', { ok: false, outcome: 'empty-body' }, { kind: 'failure' }],
    ['broken JSON', { ok: false, outcome: 'protocol' }, { kind: 'failure' }],
    ['aborted at shutdown', { ok: false, outcome: 'aborted' }, { kind: 'neutral' }],
    ['failed in this process (not the key)', { ok: false, outcome: 'local' }, { kind: 'neutral' }],
  ])('%s', (_name, result, expected) => {
    expect(probeSignal(result)).toEqual(expected);
  });
});

describe('hasBalanceEndpoint', () => {
  it.each<[string, 'auto' | boolean, boolean]>([
    ['https://api.deepseek.com', 'auto', true],
    ['https://api.deepseek.com/v1', 'auto', true],
    ['https://api.deepseek.com/beta', 'auto', false],
    ['http://api.deepseek.com', 'auto', false],
    ['https://api.deepseek.com:8443', 'auto', false],
    ['https://api.deepseek.com.evil.example', 'auto', false],
    ['http://127.0.0.1:8080', 'auto', false],
    ['http://127.0.0.1:8080', true, true],
    ['https://api.deepseek.com', false, false],
  ])('%s with %s -> %s', (baseUrl, mode, expected) => {
    expect(hasBalanceEndpoint(baseUrl, mode)).toBe(expected);
  });
});

describe('balanceAvailable', () => {
  it.each<[unknown, boolean | undefined]>([
    [{ is_available: true, balance_infos: [] }, true],
    [{ is_available: false }, false],
    [{ is_available: 'true' }, undefined],
    [{}, undefined],
    [null, undefined],
    [undefined, undefined],
  ])('%j -> %s', (body, expected) => {
    expect(balanceAvailable(body)).toBe(expected);
  });
});

describe('readmitDelayMs', () => {
  it.each([
    [0, 10_000],
    [1, 20_000],
    [2, 40_000],
    [8, 2_560_000],
    [20, 2_560_000],
  ])('after %i re-admissions waits %i ms', (readmissions, expected) => {
    expect(readmitDelayMs(readmissions, 10_000)).toBe(expected);
  });
});
