import { describe, expect, it } from '@jest/globals';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOOLS, findTool, plan } from './test-tools.mjs';

const [redis, chromium] = TOOLS as [(typeof TOOLS)[number], (typeof TOOLS)[number]];
const DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n';
const UBUNTU = 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\n';
const FEDORA = 'NAME="Fedora Linux"\nID=fedora\n';

describe('test tools: what the e2e setup does when redis-server or Chromium is missing', () => {
  it.each([
    ['nothing missing', [], { osRelease: DEBIAN, isRoot: false, platform: 'linux' }, { kind: 'ready' }],
    [
      'Debian as root',
      [redis, chromium],
      { osRelease: DEBIAN, isRoot: true, platform: 'linux' },
      { kind: 'install', command: ['apt-get', 'install', '-y', '--no-install-recommends', 'redis-server', 'chromium'] },
    ],
    [
      'Ubuntu as root',
      [chromium],
      { osRelease: UBUNTU, isRoot: true, platform: 'linux' },
      { kind: 'install', command: ['apt-get', 'install', '-y', '--no-install-recommends', 'chromium'] },
    ],
  ] as const)('%s', (_case, missing, system, expected) => {
    expect(plan([...missing], system)).toEqual(expected);
  });

  it.each([
    [
      'Debian, not root',
      { osRelease: DEBIAN, isRoot: false, platform: 'linux' },
      'sudo apt-get update && sudo apt-get install -y --no-install-recommends redis-server chromium',
    ],
    ['macOS', { osRelease: '', isRoot: false, platform: 'darwin' }, 'brew install redis chromium'],
    [
      'another Linux, even as root',
      { osRelease: FEDORA, isRoot: true, platform: 'linux' },
      "install redis-server and Chromium with your system's package manager",
    ],
  ] as const)('%s: stops with the exact command to run', (_case, system, command) => {
    const result = plan([redis, chromium], system);
    expect(result).toEqual({ kind: 'stop', message: expect.stringContaining(`Run:\n  ${command}\n`) });
    expect(result).toEqual({
      kind: 'stop',
      message: expect.stringContaining('REDIS_SERVER=/path/to/redis-server CHROMIUM_PATH=/path/to/chromium'),
    });
  });

  describe('finding a tool', () => {
    let dir: string;
    const executable = (path: string) => {
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, '#!/bin/sh\n');
      chmodSync(path, 0o755);
      return path;
    };
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'test-tools-'))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('takes the environment variable, else the PATH; a variable pointing nowhere means missing', () => {
      const onPath = executable(join(dir, 'bin', 'redis-server'));
      const named = executable(join(dir, 'other', 'redis-server'));
      expect(findTool(redis, { PATH: join(dir, 'bin') })).toBe(onPath);
      expect(findTool(redis, { PATH: join(dir, 'bin'), REDIS_SERVER: named })).toBe(named);
      expect(findTool(redis, { PATH: join(dir, 'bin'), REDIS_SERVER: join(dir, 'nowhere') })).toBeUndefined();
      expect(findTool(redis, { PATH: join(dir, 'empty') })).toBeUndefined();
    });

    it("finds Chromium under any of its names, or in Playwright's browser cache", () => {
      const browser = executable(join(dir, 'bin', 'chromium-browser'));
      expect(findTool(chromium, { PATH: join(dir, 'bin') })).toBe(browser);
      const cached = executable(join(dir, 'ms-playwright', 'chromium-1200', 'chrome-linux64', 'chrome'));
      expect(
        findTool(chromium, { PATH: join(dir, 'empty'), PLAYWRIGHT_BROWSERS_PATH: join(dir, 'ms-playwright') }),
      ).toBe(cached);
    });
  });
});
