import { MemoryStateStore } from './memory-state-store.js';
import { type MergeInput, applyToView, mergeRemoteState, pairs } from './merge-remote-state.js';
import type { DisabledState, ViewChange } from './pool-state-store.js';

const NOW = 1_000_000;
const REVOKED: DisabledState = { reason: 'revoked', sinceMs: 5 };
const MANUAL: DisabledState = { reason: 'manual', sinceMs: 7 };

interface Case {
  local?: { cooldowns?: Array<[string, number]>; disabled?: Array<[string, DisabledState]> };
  remote?: { cooldowns?: Array<[string, string]>; disabled?: Array<[string, string]> };
  /** Ids written here after the read was sent. */
  touched?: string[];
}

function merge({ local = {}, remote = {}, touched = [] }: Case): ViewChange[] {
  const input: MergeInput = {
    local: { cooldowns: local.cooldowns ?? [], disabled: new Map(local.disabled) },
    remote: { cooldowns: new Map(remote.cooldowns), disabled: new Map(remote.disabled) },
    nowMs: NOW,
    untouched: (id) => !touched.includes(id),
  };
  return mergeRemoteState(input);
}

describe('mergeRemoteState', () => {
  it.each<[string, Case, ViewChange[]]>([
    ['both empty: nothing', {}, []],
    [
      'the same cooldown on both sides: nothing',
      { local: { cooldowns: [['key:a', NOW + 10]] }, remote: { cooldowns: [['key:a', String(NOW + 10)]] } },
      [],
    ],
    [
      'a remote cooldown unknown here: taken',
      { remote: { cooldowns: [['key:a', String(NOW + 10)]] } },
      [{ type: 'cooldown', scope: 'key:a', untilMs: NOW + 10 }],
    ],
    [
      'a later remote deadline: wins',
      { local: { cooldowns: [['key:a', NOW + 10]] }, remote: { cooldowns: [['key:a', String(NOW + 20)]] } },
      [{ type: 'cooldown', scope: 'key:a', untilMs: NOW + 20 }],
    ],
    [
      'an earlier remote deadline: never shortens the local one',
      { local: { cooldowns: [['key:a', NOW + 20]] }, remote: { cooldowns: [['key:a', String(NOW + 10)]] } },
      [],
    ],
    ['an expired remote cooldown: ignored', { remote: { cooldowns: [['key:a', String(NOW)]] } }, []],
    ['a malformed remote deadline: ignored', { remote: { cooldowns: [['key:a', 'soon']] } }, []],
    [
      'a local cooldown Redis no longer holds: ended',
      { local: { cooldowns: [['key:a', NOW + 10]] } },
      [{ type: 'clear-cooldown', scope: 'key:a' }],
    ],
    [
      '... unless it was set here after the read was sent',
      { local: { cooldowns: [['key:a', NOW + 10]] }, touched: ['c:key:a'] },
      [],
    ],
    ['an expired local cooldown Redis does not hold: left alone', { local: { cooldowns: [['key:a', NOW]] } }, []],
    [
      'a remote cooldown wins even over a write made here after the read',
      {
        local: { cooldowns: [['key:a', NOW + 10]] },
        remote: { cooldowns: [['key:a', String(NOW + 20)]] },
        touched: ['c:key:a'],
      },
      [{ type: 'cooldown', scope: 'key:a', untilMs: NOW + 20 }],
    ],
    [
      'a remote disable unknown here: taken',
      { remote: { disabled: [['a', JSON.stringify(REVOKED)]] } },
      [{ type: 'disable', keyId: 'a', state: REVOKED }],
    ],
    [
      'a remote disable with another reason: taken',
      { local: { disabled: [['a', MANUAL]] }, remote: { disabled: [['a', JSON.stringify(REVOKED)]] } },
      [{ type: 'disable', keyId: 'a', state: REVOKED }],
    ],
    [
      '... unless disabled here after the read was sent',
      {
        local: { disabled: [['a', MANUAL]] },
        remote: { disabled: [['a', JSON.stringify(REVOKED)]] },
        touched: ['d:a'],
      },
      [],
    ],
    [
      'the same reason on both sides: nothing (the local since is kept)',
      {
        local: { disabled: [['a', { reason: 'revoked', sinceMs: 1 }]] },
        remote: { disabled: [['a', JSON.stringify(REVOKED)]] },
      },
      [],
    ],
    ['a malformed remote disable: ignored', { remote: { disabled: [['a', '{"reason":1}']] } }, []],
    [
      'a key Redis does not hold as disabled: enabled here',
      { local: { disabled: [['a', REVOKED]] } },
      [{ type: 'enable', keyId: 'a' }],
    ],
    [
      '... unless disabled here after the read was sent',
      { local: { disabled: [['a', REVOKED]] }, touched: ['d:a'] },
      [],
    ],
    [
      'everything at once, in order: ends, cooldowns, enables, disables',
      {
        local: { cooldowns: [['key:gone', NOW + 5]], disabled: [['back', REVOKED]] },
        remote: { cooldowns: [['account:x', String(NOW + 30)]], disabled: [['out', JSON.stringify(MANUAL)]] },
      },
      [
        { type: 'clear-cooldown', scope: 'key:gone' },
        { type: 'cooldown', scope: 'account:x', untilMs: NOW + 30 },
        { type: 'enable', keyId: 'back' },
        { type: 'disable', keyId: 'out', state: MANUAL },
      ],
    ],
  ])('%s', (_name, input, changes) => {
    expect(merge(input)).toEqual(changes);
  });
});

describe('pairs', () => {
  it.each<[string[], Array<[string, string]>]>([
    [[], []],
    [['a', '1'], [['a', '1']]],
    [
      ['a', '1', 'b', '2'],
      [
        ['a', '1'],
        ['b', '2'],
      ],
    ],
    [['a', '1', 'dangling'], [['a', '1']]],
  ])('%j', (flat, entries) => {
    expect([...pairs(flat)]).toEqual(entries);
  });
});

describe('applyToView', () => {
  it.each<[string, ViewChange, (view: MemoryStateStore) => unknown, unknown]>([
    ['a cooldown', { type: 'cooldown', scope: 'key:a', untilMs: 99 }, (v) => v.cooldownUntil('key:a'), 99],
    ['a cleared cooldown', { type: 'clear-cooldown', scope: 'key:c' }, (v) => v.cooldownUntil('key:c'), 0],
    ['a disable', { type: 'disable', keyId: 'b', state: MANUAL }, (v) => v.disabled('b'), MANUAL],
    ['an enable', { type: 'enable', keyId: 'd' }, (v) => v.disabled('d'), undefined],
  ])('%s', (_name, change, read, expected) => {
    const view = new MemoryStateStore();
    view.cooldown('key:c', 50);
    view.disable('d', REVOKED);
    applyToView(view, change);
    expect(read(view)).toEqual(expected);
  });
});
