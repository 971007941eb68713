/** Thrown when a scenario, key or patch is malformed; the message names the offending field. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
}

/** Checks one value found at `path` and returns it typed, or throws a ScenarioError naming `path`. */
export type Check<T> = (value: unknown, path: string) => T;

function fail(path: string, expected: string, value: unknown): never {
  // JSON.stringify answers undefined for undefined, functions and symbols (its declared type says string)
  const json = JSON.stringify(value) as string | undefined;
  throw new ScenarioError(`${path}: expected ${expected}, got ${json ?? String(value)}`);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function number(opts: { min?: number; max?: number; integer?: boolean; above?: number } = {}): Check<number> {
  const { min, max, integer, above } = opts;
  const parts = [
    integer ? 'an integer' : 'a number',
    min !== undefined ? `>= ${min}` : '',
    above !== undefined ? `> ${above}` : '',
    max !== undefined ? `<= ${max}` : '',
  ];
  const expected = parts.filter(Boolean).join(' ');
  return (value, path) => {
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (!integer || Number.isInteger(value)) &&
      (min === undefined || value >= min) &&
      (above === undefined || value > above) &&
      (max === undefined || value <= max);
    return ok ? value : fail(path, expected, value);
  };
}

export const nonNegative = number({ min: 0 });
export const probability = number({ min: 0, max: 1 });

export const boolean: Check<boolean> = (value, path) =>
  typeof value === 'boolean' ? value : fail(path, 'a boolean', value);

/** Any string, empty included. */
export const text: Check<string> = (value, path) => (typeof value === 'string' ? value : fail(path, 'a string', value));

export const string: Check<string> = (value, path) =>
  typeof value === 'string' && value.length > 0 ? value : fail(path, 'a non-empty string', value);

export function oneOf<T extends string | number>(choices: readonly T[]): Check<T> {
  const expected = `one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`;
  return (value, path) => (choices.includes(value as T) ? (value as T) : fail(path, expected, value));
}

export function arrayOf<T>(item: Check<T>): Check<T[]> {
  return (value, path) =>
    Array.isArray(value) ? value.map((v, i) => item(v, `${path}[${i}]`)) : fail(path, 'an array', value);
}

/** A record with arbitrary keys; `key` checks each key name (reported at `path.<key>`). */
export function recordOf<T>(item: Check<T>, key?: Check<string>): Check<Record<string, T>> {
  return (value, path) => {
    if (!isRecord(value)) fail(path, 'an object', value);
    const out: Record<string, T> = {};
    for (const [k, v] of Object.entries(value)) {
      const at = `${path}.${k}`;
      key?.(k, at);
      out[k] = item(v, at);
    }
    return out;
  };
}

/** Fields of an object shape: each field's check, and whether it is required. */
export type Shape = Record<string, { check: Check<unknown>; required?: boolean }>;

/**
 * An object with known fields only (typos are errors). With `nullable`, a field may be `null`
 * (kept as `null`: a patch uses it to remove the field).
 */
export function object<T>(shape: Shape, opts: { nullable?: boolean } = {}): Check<T> {
  return (value, path) => {
    if (!isRecord(value)) fail(path, 'an object', value);
    const out: Record<string, unknown> = {};
    for (const [field, v] of Object.entries(value)) {
      // own fields only: `constructor` or `toString` in a scenario are unknown fields, not Object.prototype's
      const spec = Object.hasOwn(shape, field) ? shape[field] : undefined;
      const at = path ? `${path}.${field}` : field;
      if (!spec) throw new ScenarioError(`${at}: unknown field (known: ${Object.keys(shape).join(', ')})`);
      if (v === undefined) continue;
      out[field] = v === null && opts.nullable && !spec.required ? null : spec.check(v, at);
    }
    for (const [field, spec] of Object.entries(shape)) {
      if (spec.required && out[field] === undefined)
        throw new ScenarioError(`${path ? `${path}.${field}` : field}: required`);
    }
    return out as T;
  };
}

/** Adds a cross-field rule to a check. */
export function refine<T>(check: Check<T>, rule: (value: T, path: string) => string | undefined): Check<T> {
  return (value, path) => {
    const checked = check(value, path);
    const problem = rule(checked, path);
    if (problem) throw new ScenarioError(`${path}: ${problem}`);
    return checked;
  };
}
