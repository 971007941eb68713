import type * as OtelApi from '@opentelemetry/api';

/** The `@opentelemetry/api` module, when the application has it installed. */
export type OtelApiModule = typeof OtelApi;

let loading: Promise<OtelApiModule | undefined> | undefined;

/**
 * Loads the optional peer `@opentelemetry/api` once per process. A dynamic `import()` works from ES modules and from
 * CommonJS alike; without the package it resolves to undefined and the pool records nothing, at no cost.
 */
export function loadOtelApi(): Promise<OtelApiModule | undefined> {
  return (loading ??= tryImport(() => import('@opentelemetry/api')));
}

/** The module `importApi` loads, or undefined when it cannot be loaded. */
export function tryImport(importApi: () => Promise<OtelApiModule>): Promise<OtelApiModule | undefined> {
  return importApi().then(
    (api) => api,
    () => undefined,
  );
}
