import { num, table, verdict } from '../lib/markdown.js';
import type { BenchSuite, ProfileName } from '../lib/suite.js';
import { type CastKey, MB, MODELS, chatBody, send, sleep, startHostileGateway } from './hostile-gateway.js';

/** The issue's bound: the gateway's peak RSS under the attack. */
const PEAK_RSS_LIMIT_MB = 512;
const ATTACK = { endlessBodies: 4, endlessLines: 4, hugeModelNames: 20, modelNameBytes: MB };
const WAVES: Record<ProfileName, number> = { smoke: 1, quick: 3, full: 5 };
const NORMAL_AFTER = 20;

/** Healthy keys for the normal model; endless bodies and endless SSE lines only behind the models they serve. */
const CAST: CastKey[] = [
  { mock: { key: 'sk-bench-mem-good-000001', name: 'good-1' }, models: [MODELS.normal] },
  { mock: { key: 'sk-bench-mem-good-000002', name: 'good-2' }, models: [MODELS.normal] },
  {
    mock: { key: 'sk-bench-mem-body-000003', name: 'endless-body-1', endlessBody: true },
    models: [MODELS.endlessBody],
  },
  {
    mock: { key: 'sk-bench-mem-body-000004', name: 'endless-body-2', endlessBody: true },
    models: [MODELS.endlessBody],
  },
  {
    mock: { key: 'sk-bench-mem-line-000005', name: 'endless-line-1', endlessLine: true },
    models: [MODELS.endlessLine],
  },
  {
    mock: { key: 'sk-bench-mem-line-000006', name: 'endless-line-2', endlessLine: true },
    models: [MODELS.endlessLine],
  },
];

interface Tally {
  ok: number;
  total: number;
}

export interface MemoryResult {
  waves: number;
  attack: typeof ATTACK;
  /** Statuses the attack requests got, by status. */
  attackStatuses: Record<string, number>;
  /** Bytes the hostile keys' bodies were read for (mock counters: their requests). */
  hostileUpstreamRequests: number;
  peakRssMb: number;
  baselineRssMb: number;
  normalDuring: Tally;
  normalAfter: Tally;
}

/** Normal requests at a steady pace until `stop()`; counts the 200s. */
function normalTraffic(url: string): { stop(): Promise<Tally> } {
  const tally: Tally = { ok: 0, total: 0 };
  const stopped = new AbortController();
  const loop = (async () => {
    while (!stopped.signal.aborted) {
      tally.total++;
      if ((await send(url, chatBody(MODELS.normal))) === 200) tally.ok++;
      await sleep(50);
    }
  })();
  return {
    stop: async () => {
      stopped.abort();
      await loop;
      return tally;
    },
  };
}

const suite: BenchSuite<MemoryResult> = {
  id: 'hardening-memory',
  title: 'Hardening: gateway memory under endless bodies, endless SSE lines and 1 MB model names',
  order: 50,
  async run({ profile, runDir, log }) {
    // The pool-wide breaker of the degradation module would (rightly) shed all traffic once most calls fail; this
    // suite measures memory and the healthy keys' service, so it runs the gateway without degradation.
    const env = await startHostileGateway(CAST, runDir, { GATEWAY_DEGRADE: 'false' });
    await sleep(1_000);
    const baselineRssMb = (env.samples.at(-1)?.rssBytes ?? 0) / MB;
    const normal = normalTraffic(env.url);
    const attackStatuses = new Map<number, number>();
    const hugeModel = 'm'.repeat(ATTACK.modelNameBytes);
    for (let wave = 0; wave < WAVES[profile]; wave++) {
      log(`wave ${wave + 1}/${WAVES[profile]}`);
      const attack = [
        ...Array.from({ length: ATTACK.endlessBodies }, () => send(env.url, chatBody(MODELS.endlessBody))),
        ...Array.from({ length: ATTACK.endlessLines }, () => send(env.url, chatBody(MODELS.endlessLine, true))),
        ...Array.from({ length: ATTACK.hugeModelNames }, () => send(env.url, chatBody(hugeModel))),
      ];
      for (const status of await Promise.all(attack)) attackStatuses.set(status, (attackStatuses.get(status) ?? 0) + 1);
    }
    const normalDuring = await normal.stop();
    const normalAfter: Tally = { ok: 0, total: NORMAL_AFTER };
    for (let i = 0; i < NORMAL_AFTER; i++) if ((await send(env.url, chatBody(MODELS.normal))) === 200) normalAfter.ok++;
    await sleep(500);
    const stats = await env.mock.admin.stats();
    const chatRequestsOf = (name: string | undefined): number => {
      const key = name === undefined ? undefined : stats.keys[name];
      if (!key) throw new Error(`the mock has no stats for the key ${String(name)}`);
      return key.requests.chat;
    };
    const hostileUpstreamRequests = CAST.filter((k) => k.mock.endlessBody || k.mock.endlessLine).reduce(
      (sum, k) => sum + chatRequestsOf(k.mock.name),
      0,
    );
    const peakRssMb = Math.max(...env.samples.map((s) => s.peakRssBytes)) / MB;
    return {
      waves: WAVES[profile],
      attack: ATTACK,
      attackStatuses: Object.fromEntries(attackStatuses),
      hostileUpstreamRequests,
      peakRssMb,
      baselineRssMb,
      normalDuring,
      normalAfter,
    };
  },
  render(result) {
    const met =
      result.peakRssMb < PEAK_RSS_LIMIT_MB &&
      result.normalDuring.ok === result.normalDuring.total &&
      result.normalAfter.ok === result.normalAfter.total;
    return [
      `${result.waves} wave(s), each: ${result.attack.endlessBodies} requests to keys whose body never ends, ${result.attack.endlessLines} streams whose SSE line never ends, ${result.attack.hugeModelNames} requests with a ${num(result.attack.modelNameBytes / MB, 0)} MB model name, all at once, while normal requests run (one at a time, every 50 ms) and 20 more after, on other keys. The gateway runs with \`GATEWAY_DEGRADE=false\` (the pool-wide breaker would shed every request once most calls fail). Its peak RSS is its own \`maxRSS\` (getrusage), reported over IPC.`,
      '',
      table(
        ['measure', 'limit', 'measured', ''],
        [
          [
            'peak RSS of the gateway',
            `< ${PEAK_RSS_LIMIT_MB} MB`,
            `${num(result.peakRssMb)} MB (idle: ${num(result.baselineRssMb)} MB)`,
            verdict(result.peakRssMb < PEAK_RSS_LIMIT_MB),
          ],
          [
            'normal requests answered during the attack',
            'all',
            `${result.normalDuring.ok} / ${result.normalDuring.total}`,
            verdict(result.normalDuring.ok === result.normalDuring.total),
          ],
          [
            'normal requests answered after it',
            'all',
            `${result.normalAfter.ok} / ${result.normalAfter.total}`,
            verdict(result.normalAfter.ok === result.normalAfter.total),
          ],
        ],
      ),
      '',
      `Attack answers by status: ${Object.entries(result.attackStatuses)
        .map(([status, count]) => `${status}: ${count}`)
        .join(
          ', ',
        )}; upstream requests the hostile keys received: ${result.hostileUpstreamRequests}. Overall: ${verdict(met)}.`,
    ].join('\n');
  },
  check(result) {
    const problems: string[] = [];
    if (!(result.peakRssMb > 0)) problems.push('no memory sample from the gateway');
    if (result.hostileUpstreamRequests === 0) problems.push('no request reached a hostile key');
    if (result.normalAfter.ok !== result.normalAfter.total)
      problems.push(`normal requests failed after the attack (${result.normalAfter.ok}/${result.normalAfter.total})`);
    return problems;
  },
};

export default suite;
