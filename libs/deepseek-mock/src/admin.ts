import type { Exchange } from './http-io.js';
import { NotFoundError } from './registry.js';
import type { MockStats } from './stats.js';
import type { AccountPatch, KeyConfig, KeyPatch } from './types.js';
import { ScenarioError, isRecord, number } from './validate.js';

/** The run-time control surface shared by the programmatic API and the admin endpoint. */
export interface MockControl {
  stats(): MockStats;
  resetCounters(): void;
  keys(): KeyConfig[];
  getKey(ref: string): KeyConfig;
  addKey(config: KeyConfig): KeyConfig;
  setKey(ref: string, patch: KeyPatch): KeyConfig;
  removeKey(ref: string): void;
  setAccount(account: string, patch: AccountPatch): void;
  setBalance(account: string, amount: number): void;
}

type Handler = (params: string[], body: unknown) => unknown;

/** Admin routes under `/_mock/`: [methods, path pattern, handler]. */
function routes(c: MockControl): Array<[string[], RegExp, Handler]> {
  const ok = { ok: true };
  const account = (id: string) => c.stats().accounts[id];
  return [
    [['GET'], /^stats$/, () => c.stats()],
    [['POST'], /^reset$/, () => (c.resetCounters(), ok)],
    [['GET'], /^keys$/, () => c.keys()],
    [['POST'], /^keys$/, (_, body) => c.addKey(body as KeyConfig)],
    [['GET'], /^keys\/([^/]+)$/, ([ref]) => c.getKey(ref)],
    [['PUT', 'PATCH'], /^keys\/([^/]+)$/, ([ref], body) => c.setKey(ref, body as KeyPatch)],
    [['DELETE'], /^keys\/([^/]+)$/, ([ref]) => (c.removeKey(ref), ok)],
    [['PUT', 'PATCH'], /^accounts\/([^/]+)$/, ([id], body) => (c.setAccount(id, body as AccountPatch), account(id))],
    [
      ['POST', 'PUT'],
      /^accounts\/([^/]+)\/balance$/,
      ([id], body) => {
        const amount = isRecord(body) ? body['balance'] : undefined;
        c.setBalance(id, number()(amount, 'balance'));
        return account(id);
      },
    ],
  ];
}

function parseBody(raw: string): unknown {
  if (!raw.trim()) return {};
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw new ScenarioError(`body is not valid JSON: ${(err as Error).message}`);
  }
}

function statusOf(err: unknown): number {
  if (err instanceof ScenarioError) return 400;
  return err instanceof NotFoundError ? 404 : 500;
}

/** Serves `/_mock/<path>` (no authentication: the mock is a local test tool). */
export async function handleAdmin(ex: Exchange, path: string, control: MockControl): Promise<void> {
  const raw = await ex.readBody();
  const method = ex.req.method ?? 'GET';
  for (const [methods, pattern, handler] of routes(control)) {
    const match = pattern.exec(path);
    if (!match || !methods.includes(method)) continue;
    try {
      const params = match.slice(1).map(decodeURIComponent);
      ex.sendJson(200, handler(params, parseBody(raw)));
      return;
    } catch (err) {
      ex.sendJson(statusOf(err), { error: { message: (err as Error).message } });
      return;
    }
  }
  ex.sendJson(404, { error: { message: `no admin route ${method} /_mock/${path}` } });
}
