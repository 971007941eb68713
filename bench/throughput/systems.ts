import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Child, spawnNode, waitForHttp } from '../lib/children.js';
import type { MockService } from '../lib/mock-service.js';
import { RUNNER_NODE_MAJOR, nodeBinary } from '../lib/node-binary.js';
import { REPO_DIR, distModule } from '../lib/paths.js';
import { freePort } from '../lib/ports.js';
import { portkeyConfig, startPortkey } from '../lib/portkey.js';

const START_TIMEOUT_MS = 30_000;
const CHAT_PATH = '/v1/chat/completions';

/**
 * What the load generator hits: a URL, the headers that make it serve, the child to stop (none for the mock itself).
 */
export interface RunningSystem {
  url: string;
  headers: Record<string, string>;
  child?: Child;
  /** Version or settings worth printing next to the figures. */
  note: string;
}

export interface ThroughputSystem {
  id: string;
  label: string;
  /** `nodeArgs` go to the system's node process (e.g. `--cpu-prof`). */
  start(mock: MockService, keys: readonly string[], runDir: string, nodeArgs?: string[]): Promise<RunningSystem>;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

async function startNodeService(
  name: string,
  script: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
  execPath?: string,
): Promise<{ url: string; child: Child }> {
  const port = await freePort();
  const child = spawnNode(name, script, [], { env: { ...env, PORT: String(port) }, nodeArgs, execPath });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(child, url, START_TIMEOUT_MS);
  return { url: `${url}${CHAT_PATH}`, child };
}

/** The mock hit directly with one key: the ceiling of this machine's load generator + mock, not a contender. */
const mockDirect: ThroughputSystem = {
  id: 'mock-direct',
  label: 'mock, direct (reference)',
  start: (mock, keys) =>
    Promise.resolve({
      url: `${mock.url}${CHAT_PATH}`,
      headers: { ...JSON_HEADERS, authorization: `Bearer ${keys[0]}` },
      note: 'no proxy',
    }),
};

/** How the gateway is started (Dockerfile CMD, `npm start`): a 32 MB young-generation semi-space. */
const GATEWAY_NODE_ARGS = ['--max-semi-space-size=32'];

/**
 * apps/gateway as built and started from the checkout at `root` (this one by default), over the 8 keys (default pool
 * options, request log on), on the bench's node or on another release line; `settings` are more environment variables
 * (e.g. GATEWAY_REQUEST_LOG=off, to measure what a setting costs).
 */
export function gatewayAt(
  root: string,
  label = 'sample gateway (this library)',
  nodeMajor = RUNNER_NODE_MAJOR,
  settings: Record<string, string> = {},
): ThroughputSystem {
  return {
    id: nodeMajor === RUNNER_NODE_MAJOR ? 'gateway' : `gateway-node${nodeMajor}`,
    label,
    async start(mock, keys, runDir, nodeArgs) {
      const node = await nodeBinary(nodeMajor);
      const config = join(runDir, 'gateway.json');
      await writeFile(
        config,
        JSON.stringify({ keys: keys.map((apiKey, index) => ({ id: `key-${index + 1}`, apiKey, baseUrl: mock.url })) }),
      );
      const env = { ...settings, GATEWAY_CONFIG: config, GATEWAY_ALLOW_ANONYMOUS: 'true', HOST: '127.0.0.1' };
      const { url, child } = await startNodeService(
        'gateway',
        join(root, 'apps/gateway/dist/main.js'),
        env,
        [...GATEWAY_NODE_ARGS, ...(nodeArgs ?? [])],
        node.path,
      );
      return {
        url,
        headers: JSON_HEADERS,
        child,
        note: `Node ${node.version}, Nest 12 + fastify, ${keys.length} keys, default options (p2c-ewma), one log line per request, ${GATEWAY_NODE_ARGS.join(' ')}`,
      };
    },
  };
}

/** This checkout's gateway. */
export const gateway = gatewayAt(REPO_DIR);

/**
 * The other end of the supported range: Node 20 (the oldest line `engines` allows) when the bench runs on a newer
 * one (as `npm run bench:full` does, on the image's Node 24), else Node 24.
 */
const OTHER_NODE_MAJOR = RUNNER_NODE_MAJOR === 20 ? 24 : 20;
const gatewayOnOtherNode = gatewayAt(REPO_DIR, `sample gateway on Node ${OTHER_NODE_MAJOR}`, OTHER_NODE_MAJOR);

/**
 * A minimal Nest app forwarding to one key with undici (bench/throughput/bare-proxy), on express (Nest's default) or
 * on Fastify (the sample gateway's platform): the floor each adapter sets, same controller.
 */
function bareNest(adapter: 'express' | 'fastify'): ThroughputSystem {
  return {
    id: adapter === 'express' ? 'bare-nest' : 'bare-nest-fastify',
    label: `bare Nest proxy on ${adapter} (one key, no pool)`,
    async start(mock, keys) {
      const { url, child } = await startNodeService(
        `bare-nest-proxy-${adapter}`,
        distModule('throughput/bare-proxy/main'),
        {
          UPSTREAM_URL: mock.url,
          API_KEY: keys[0],
          BARE_PROXY_ADAPTER: adapter,
        },
      );
      return { url, headers: JSON_HEADERS, child, note: `Nest 12 + ${adapter}, undici Pool` };
    },
  };
}

/** Portkey's open-source gateway with a loadbalance + retry + fallback config over the same 8 keys. */
const portkey: ThroughputSystem = {
  id: 'portkey',
  label: "Portkey's gateway",
  async start(mock, keys) {
    const service = await startPortkey();
    const config = portkeyConfig(keys.map((apiKey) => ({ apiKey, baseUrl: mock.url })));
    return {
      url: `${service.url}${CHAT_PATH}`,
      headers: { ...JSON_HEADERS, 'x-portkey-config': JSON.stringify(config) },
      child: service.child,
      note: `@portkey-ai/gateway ${service.version}, loadbalance x ${keys.length} keys + retry + fallback`,
    };
  },
};

export const THROUGHPUT_SYSTEMS: readonly ThroughputSystem[] = [
  mockDirect,
  gateway,
  gatewayOnOtherNode,
  bareNest('express'),
  bareNest('fastify'),
  portkey,
];
