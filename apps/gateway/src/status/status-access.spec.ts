import { statusAccessMode } from './status-access.js';

describe('statusAccessMode', () => {
  it.each([
    ['demo', false, 'open'],
    ['demo', true, 'token'],
    ['upstream', true, 'token'],
    ['upstream', false, 'off'],
  ] as const)('%s mode, admin token set: %s -> %s', (mode, adminTokenSet, expected) => {
    expect(statusAccessMode(mode, adminTokenSet)).toBe(expected);
  });
});
