import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { AccountConfig, AccountPatch, KeyBehaviour, KeyConfig, KeyPatch, MockScenario } from './types.js';
import { INJECTABLE_STATUSES } from './types.js';
import { KEY_ECHO_FORMS } from './key-echo.js';
import {
  type Check,
  type Shape,
  ScenarioError,
  arrayOf,
  boolean,
  nonNegative,
  number,
  object,
  oneOf,
  probability,
  recordOf,
  refine,
  string,
  text,
} from './validate.js';

export const DEFAULT_MODELS = ['deepseek-v4-flash', 'deepseek-v4-pro', 'deepseek-chat', 'deepseek-reasoner'];
export const DEFAULT_THINKING_MODELS = ['deepseek-reasoner'];

const positiveInt = number({ min: 1, integer: true });
const count = number({ min: 0, integer: true });
const status = oneOf(INJECTABLE_STATUSES);

const errorRates = refine(recordOf(probability, oneOf(INJECTABLE_STATUSES.map(String))), (rates) => {
  const sum = Object.values(rates).reduce((a, b) => a + b, 0);
  return sum > 1 ? `rates add up to ${sum}, more than 1` : undefined;
});

const outage = refine(
  object<{ fromMs: number; toMs: number }>({
    fromMs: { check: nonNegative, required: true },
    toMs: { check: nonNegative, required: true },
    status: { check: status },
  }),
  (o) => (o.toMs <= o.fromMs ? 'toMs must be after fromMs' : undefined),
);

/** Every behaviour field and its check: shared by scenario keys, defaults and run-time patches. */
const behaviourShape: Shape = {
  latencyMs: { check: nonNegative },
  jitterMs: { check: nonNegative },
  longTail: {
    check: object({
      probability: { check: probability, required: true },
      extraMs: { check: nonNegative, required: true },
    }),
  },
  errorRates: { check: errorRates },
  status: { check: status },
  rateLimit: {
    check: object({
      requests: { check: count, required: true },
      windowMs: { check: number({ above: 0 }), required: true },
    }),
  },
  retryAfterSeconds: { check: count },
  outage: { check: outage },
  reset: { check: boolean },
  hang: { check: boolean },
  headersThenStall: { check: boolean },
  blankBody: { check: boolean },
  keepAlive: {
    check: object({
      intervalMs: { check: number({ above: 0 }), required: true },
      afterMs: { check: nonNegative, required: true },
      then: { check: oneOf(['close', 'answer'] as const), required: true },
    }),
  },
  cutAfterChunks: { check: count },
  errorEventAfterChunks: { check: count },
  chunkDelayMs: { check: nonNegative },
  streamChunks: { check: positiveInt },
  reply: { check: text },
  echoKey: {
    check: object({
      status: { check: oneOf([200, 400, 500] as const), required: true },
      body: { check: oneOf(['json', 'text'] as const) },
      form: { check: oneOf(KEY_ECHO_FORMS) },
      paddingChars: { check: count },
    }),
  },
  echoKeyEvent: {
    check: object({ afterChunks: { check: count, required: true }, form: { check: oneOf(KEY_ECHO_FORMS) } }),
  },
  reasoning: { check: text },
  cutStream: { check: object({ probability: { check: probability }, atByte: { check: count } }) },
  server: { check: oneOf(['deepseek', 'vllm'] as const) },
  endlessBody: { check: boolean },
  endlessLine: { check: boolean },
  retryAfterHeader: { check: text },
  retryAfterMsHeader: { check: text },
};

const keyShape: Shape = {
  ...behaviourShape,
  key: { check: string, required: true },
  name: { check: string },
  account: { check: string },
};

const accountShape: Shape = {
  maxConcurrency: { check: count },
  balance: { check: number() },
  grantedBalance: { check: nonNegative },
  currency: { check: oneOf(['USD', 'CNY'] as const) },
};

const checkAccount = refine(object<AccountConfig>(accountShape), (a) =>
  a.grantedBalance !== undefined && a.grantedBalance > (a.balance ?? Infinity)
    ? 'grantedBalance is more than balance'
    : undefined,
);

const checkScenario: Check<MockScenario> = object<MockScenario>({
  $schema: { check: string },
  description: { check: string },
  models: { check: arrayOf(string) },
  thinkingModels: { check: arrayOf(string) },
  pricing: {
    check: object({
      cacheHitPerM: { check: nonNegative },
      inputPerM: { check: nonNegative },
      outputPerM: { check: nonNegative },
    }),
  },
  defaults: { check: object<KeyBehaviour>(behaviourShape) },
  accounts: { check: recordOf(checkAccount) },
  keys: { check: arrayOf(object<KeyConfig>(keyShape)), required: true },
});

/** The key among `others` whose value or name equals `k`'s value or name (a key is found by either). */
export function clashingKey(others: Iterable<KeyConfig>, k: KeyConfig): KeyConfig | undefined {
  const ids = [k.key, k.name ?? k.key];
  for (const other of others) {
    if (ids.includes(other.key) || ids.includes(other.name ?? other.key)) return other;
  }
  return undefined;
}

/** Checks that key values and names are unique and that every key's account is declared. */
function checkKeyRefs(scenario: MockScenario): void {
  const declared = new Set(Object.keys(scenario.accounts ?? {}));
  scenario.keys.forEach((k, i) => {
    const clash = clashingKey(scenario.keys.slice(0, i), k);
    if (clash) throw new ScenarioError(`keys[${i}]: key or name clashes with key "${clash.name ?? clash.key}"`);
    assertAccountDeclared(k, declared, `keys[${i}].account`);
  });
}

function assertAccountDeclared(k: KeyConfig, declared: { has(id: string): boolean }, path: string): void {
  if (k.account !== undefined && !declared.has(k.account)) {
    throw new ScenarioError(`${path}: account "${k.account}" is not declared under "accounts"`);
  }
}

/**
 * Parses and validates a scenario (a JSON string or an already parsed value). Throws a ScenarioError naming the bad
 * field.
 */
export function parseScenario(input: unknown): MockScenario {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (err) {
      throw new ScenarioError(`scenario is not valid JSON: ${(err as Error).message}`);
    }
  }
  const scenario = checkScenario(value, '');
  checkKeyRefs(scenario);
  return scenario;
}

/** Reads and validates a scenario file. */
export async function loadScenario(path: string | URL): Promise<MockScenario> {
  const text = await readFile(path, 'utf8');
  try {
    return parseScenario(text);
  } catch (err) {
    if (err instanceof ScenarioError)
      throw new ScenarioError(`${path instanceof URL ? fileURLToPath(path) : path}: ${err.message}`);
    throw err;
  }
}

/** Validates a key added at run time (its account must be one of `accounts`). */
export function parseKeyConfig(input: unknown, accounts: { has(id: string): boolean }): KeyConfig {
  const key = object<KeyConfig>(keyShape)(input, 'key');
  assertAccountDeclared(key, accounts, 'key.account');
  return key;
}

/** Validates a run-time change of behaviour (`null` removes a field). */
export function parseKeyPatch(input: unknown): KeyPatch {
  return object<KeyPatch>(behaviourShape, { nullable: true })(input, 'patch');
}

/** Validates a run-time change of an account (`null` removes a field). */
export function parseAccountPatch(input: unknown): AccountPatch {
  return object<AccountPatch>(accountShape, { nullable: true })(input, 'account');
}
