// @ts-check
// The binaries the e2e tests need: redis-server, a Chromium and promtool. Jest's global setup of the e2e project (and
// `node test/support/test-tools.mjs` on its own) finds them: an environment variable, then the PATH, then (Chromium)
// Playwright's browser cache. When one is missing it installs it with apt-get on Debian/Ubuntu as root, saying so;
// anywhere else it stops with the exact command to run. Found paths are exported as REDIS_SERVER and CHROMIUM_PATH
// for the tests. Plain JavaScript so it runs before anything is compiled.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * @typedef {{ name: string, env: string, commands: string[], apt: string, brew: string, playwright?: boolean }} Tool
 * @typedef {{ kind: 'ready' } | { kind: 'install', command: string[] } | { kind: 'stop', message: string }} Plan
 */

/** @type {Tool[]} */
export const TOOLS = [
  { name: 'redis-server', env: 'REDIS_SERVER', commands: ['redis-server'], apt: 'redis-server', brew: 'redis' },
  {
    name: 'Chromium',
    env: 'CHROMIUM_PATH',
    commands: ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'],
    apt: 'chromium',
    brew: 'chromium',
    playwright: true,
  },
  // the alert rules' checks (test/deploy/alert-rules.spec.ts)
  { name: 'promtool', env: 'PROMTOOL', commands: ['promtool'], apt: 'prometheus', brew: 'prometheus' },
];

/** @param {string} path */
function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Chromium binaries in Playwright's browser cache (`npx playwright install chromium`), newest first. */
function playwrightChromiums(/** @type {NodeJS.ProcessEnv} */ env) {
  const cache = env.PLAYWRIGHT_BROWSERS_PATH || join(homedir(), '.cache', 'ms-playwright');
  let builds;
  try {
    builds = readdirSync(cache)
      .filter((dir) => dir.startsWith('chromium'))
      .sort()
      .reverse();
  } catch {
    return [];
  }
  return builds.flatMap((dir) =>
    ['chrome-linux64/chrome', 'chrome-linux/chrome', 'chrome-mac/Chromium.app/Contents/MacOS/Chromium'].map((bin) =>
      join(cache, dir, bin),
    ),
  );
}

/**
 * Where `tool` is: its environment variable (which must then point at an executable), else the PATH, else (Chromium)
 * Playwright's cache. Undefined when absent.
 * @param {Tool} tool
 * @param {NodeJS.ProcessEnv} env
 * @returns {string | undefined}
 */
export function findTool(tool, env) {
  const named = env[tool.env];
  if (named) return isExecutable(named) ? named : undefined;
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  const candidates = [
    ...tool.commands.flatMap((command) => dirs.map((dir) => join(dir, command))),
    ...(tool.playwright ? playwrightChromiums(env) : []),
  ];
  return candidates.find(isExecutable);
}

/**
 * What to do about the missing tools: nothing, install them with apt-get (Debian or Ubuntu, as root), or stop with
 * the exact command to run. Pure: the caller says which tools are missing, which system this is and who runs it.
 * @param {Tool[]} missing
 * @param {{ osRelease: string, isRoot: boolean, platform: NodeJS.Platform }} system
 * @returns {Plan}
 */
export function plan(missing, { osRelease, isRoot, platform }) {
  if (missing.length === 0) return { kind: 'ready' };
  const names = missing.map((tool) => tool.name).join(' and ');
  const variables = missing.map((tool) => `${tool.env}=/path/to/${tool.commands[0]}`).join(' ');
  const debian = platform === 'linux' && /^(ID|ID_LIKE)=.*\b(debian|ubuntu)\b/m.test(osRelease);
  const apt = missing.map((tool) => tool.apt);
  if (debian && isRoot)
    return { kind: 'install', command: ['apt-get', 'install', '-y', '--no-install-recommends', ...apt] };
  const install = debian
    ? `sudo apt-get update && sudo apt-get install -y --no-install-recommends ${apt.join(' ')}`
    : platform === 'darwin'
      ? `brew install ${missing.map((tool) => tool.brew).join(' ')}`
      : `install ${names} with your system's package manager`;
  return {
    kind: 'stop',
    message: `The e2e tests need ${names}, not found (environment, PATH, Playwright's cache). Run:\n  ${install}\nthen npm test again, or point ${variables} at existing binaries.`,
  };
}

/** The binaries a Debian package installed (`dpkg -L`), for a tool just installed while the PATH may not show it. */
function installedBy(/** @type {Tool} */ tool) {
  const files = execFileSync('dpkg', ['-L', tool.apt], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `/usr/sbin:/usr/bin:/sbin:/bin${delimiter}${process.env.PATH ?? ''}` },
  }).split('\n');
  return files.find((file) => tool.commands.some((command) => file.endsWith(`/bin/${command}`)) && isExecutable(file));
}

/** Finds (or installs) every tool and exports its path; throws with the command to run when it cannot. */
export function setupTestTools(env = process.env) {
  const found = new Map(TOOLS.map((tool) => [tool, findTool(tool, env)]));
  const missing = TOOLS.filter((tool) => found.get(tool) === undefined);
  const osRelease = (() => {
    try {
      return readFileSync('/etc/os-release', 'utf8');
    } catch {
      return '';
    }
  })();
  const next = plan(missing, { osRelease, isRoot: process.getuid?.() === 0, platform: process.platform });
  if (next.kind === 'stop') throw new Error(next.message);
  if (next.kind === 'install') {
    const path = `/usr/sbin:/usr/bin:/sbin:/bin${delimiter}${env.PATH ?? ''}`;
    console.log(
      `\ntest setup: ${missing.map((tool) => tool.name).join(' and ')} not found; installing with apt-get (Debian/Ubuntu, root): ${next.command.join(' ')}`,
    );
    const apt = {
      stdio: /** @type {const} */ ('inherit'),
      env: { ...env, PATH: path, DEBIAN_FRONTEND: 'noninteractive' },
    };
    execFileSync('apt-get', ['update', '-qq'], apt);
    execFileSync(next.command[0], next.command.slice(1), apt);
    for (const tool of missing) found.set(tool, installedBy(tool));
  }
  for (const [tool, path] of found) {
    if (path === undefined) throw new Error(`test setup: ${tool.name} still not found after installing ${tool.apt}`);
    env[tool.env] = path;
  }
  return Object.fromEntries([...found].map(([tool, path]) => [tool.env, path]));
}

/** Jest's global setup of the e2e project. */
export default function globalSetup() {
  setupTestTools(process.env);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    for (const [variable, path] of Object.entries(setupTestTools())) console.log(`${variable}=${path}`);
  } catch (error) {
    console.error(/** @type {Error} */ (error).message);
    process.exit(1);
  }
}
