import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type Child, spawnNode, waitForHttp } from './children.js';
import { freePort } from './ports.js';

const START_TIMEOUT_MS = 20_000;

/** Statuses on which the config moves to the next target group (fallback). */
const FALLBACK_ON = [401, 402, 403, 408, 429, 500, 502, 503, 504];
/** Statuses Portkey retries on the same target (its documented retry set). */
const RETRY_ON = [429, 500, 502, 503, 504];

export interface UpstreamKey {
  apiKey: string;
  /** Base URL of the OpenAI-compatible upstream (the mock, or a refused port). */
  baseUrl: string;
}

/**
 * The Portkey config the bench sends in `x-portkey-config`: a fallback over two groups that each load-balance
 * (Portkey's stateless weighted random) over every key as an OpenAI-compatible provider at `custom_host`,
 * with one retry of the same key on 429/5xx (Portkey waits 1 s before it, async-retry's default), and
 * `request_timeout` (-> 408, which falls back) when given. At most 4 upstream attempts per request.
 */
export function portkeyConfig(keys: readonly UpstreamKey[], requestTimeoutMs?: number): Record<string, unknown> {
  const group = {
    strategy: { mode: 'loadbalance' },
    targets: keys.map((key) => ({ provider: 'openai', api_key: key.apiKey, custom_host: `${key.baseUrl}/v1` })),
  };
  return {
    strategy: { mode: 'fallback', on_status_codes: FALLBACK_ON },
    retry: { attempts: 1, on_status_codes: RETRY_ON },
    ...(requestTimeoutMs === undefined ? {} : { request_timeout: requestTimeoutMs }),
    targets: [group, group],
  };
}

export interface PortkeyService {
  url: string;
  version: string;
  child: Child;
}

/**
 * Where the installed `@portkey-ai/gateway` keeps its node server, and its version (throws when it is not installed).
 */
function portkeyEntry(): { script: string; version: string } {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('@portkey-ai/gateway/package.json');
  const { version } = require(manifest) as { version: string };
  return { script: join(dirname(manifest), 'build', 'start-server.js'), version };
}

/** Starts Portkey's open-source gateway (`build/start-server.js --port=N --headless`) on its own process. */
export async function startPortkey(): Promise<PortkeyService> {
  const { script, version } = portkeyEntry();
  const port = await freePort();
  const child = spawnNode('portkey-gateway', script, [`--port=${port}`, '--headless']);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(child, url, START_TIMEOUT_MS);
  return { url, version, child };
}
