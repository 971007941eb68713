/**
 * CPU time per exchange aborted in flight (a hedge race's loser, a timeout), builds of the library side by side in one
 * process: the exchange is sent over the build's `UndiciTransport` through the pool's abort handle to a local HTTP
 * server that holds every request, aborted once the server has it, which closes its connection (HTTP/1.1 cannot cancel
 * a request otherwise). Each abort costs the connection's close and the next one's connect, the same for every build,
 * and what the build does when it aborts. Interleaved rounds, each build's µs minus the first build's in the same
 * round, median over rounds; list the first build twice for an A/A control. The server runs in this process.
 *
 *   node bench/dist/overhead/cpu-builds.js --save before   # saves the library's build (see cpu-builds.ts)
 *   node bench/dist/overhead/abort-builds.js [--aborts 2000] [--rounds 21] before before current
 */
import { type IncomingMessage, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { median } from '../lib/median.js';
import { repoPath } from '../lib/paths.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { aborts: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '21' } },
});
if (positionals.length === 0) throw new Error('name the builds: saved ones (cpu-builds.js --save), or current');

interface Handle {
  abort(): void;
}
interface Build {
  name: string;
  transport: { close(): Promise<void> };
  newHandle(): Handle;
  send(transport: unknown, fields: object, handle: Handle): Promise<unknown>;
}

async function load(name: string): Promise<Build> {
  const dir = name === 'current' ? repoPath('libs/deepseek-pool/dist') : repoPath(`bench/.runs/builds/${name}`);
  const { UndiciTransport, sendExchange } = (await import(`${dir}/transport/undici.transport.js`)) as {
    UndiciTransport: new () => Build['transport'];
    sendExchange: Build['send'];
  };
  const { AbortHandle } = (await import(`${dir}/resilience/abort-handle.js`)) as { AbortHandle: new () => Handle };
  return { name, transport: new UndiciTransport(), newHandle: () => new AbortHandle(), send: sendExchange };
}

/** Requests the server holds, resolved as each arrives. */
let arrived: (() => void) | undefined;
const server = createServer((request: IncomingMessage) => {
  request.resume();
  arrived?.();
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const fields = {
  baseUrl,
  path: '/chat/completions',
  method: 'POST',
  headers: { authorization: 'Bearer sk-abort-builds', 'content-type': 'application/json' },
  body: '{"model":"deepseek-chat","messages":[{"role":"user","content":"Hello"}]}',
};

/** One exchange sent, held by the server, aborted; its rejection awaited. */
async function abortOne(build: Build): Promise<void> {
  const held = new Promise<void>((resolve) => (arrived = resolve));
  const handle = build.newHandle();
  const sent = build.send(build.transport, fields, handle);
  await held;
  handle.abort();
  await sent.then(
    () => {
      throw new Error(`${build.name}: an aborted exchange resolved`);
    },
    () => undefined,
  );
}

const builds = await Promise.all(positionals.map(load));
const aborts = Number(values.aborts);
const usPerAbort = async (build: Build): Promise<number> => {
  const before = process.cpuUsage();
  for (let i = 0; i < aborts; i++) await abortOne(build);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / aborts;
};
try {
  for (const build of builds) await usPerAbort(build); // warm-up
  const figures = builds.map((): number[] => []);
  for (let round = 0; round < Number(values.rounds); round++)
    for (let i = 0; i < builds.length; i++) {
      const index = (round + i) % builds.length;
      figures[index].push(await usPerAbort(builds[index]));
    }
  console.log(
    `CPU µs per exchange aborted in flight, ${values.rounds} rounds x ${aborts}: median, then minus ${positionals[0]} in the same round (median):`,
  );
  for (const [index, name] of positionals.entries()) {
    const paired = median(figures[index].map((us, round) => us - figures[0][round]));
    console.log(
      `  ${`${index + 1}. ${name}`.padEnd(16)} ${median(figures[index]).toFixed(1).padStart(7)}   ${paired.toFixed(1).padStart(7)}`,
    );
  }
} finally {
  await Promise.all(builds.map((build) => build.transport.close()));
  server.closeAllConnections();
  server.close();
}
