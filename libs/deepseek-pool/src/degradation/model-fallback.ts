/** Lighter models configured per model: `{ 'deepseek-v4-pro': ['deepseek-v4-flash'] }`. */
export type ModelFallbacks = Readonly<Record<string, readonly string[]>>;

/**
 * The lighter models to try for `model`, in order: its own list, each followed by that model's list in turn
 * (so `pro -> flash` and `flash -> lite` give `flash, lite` for pro). Never the requested model, never twice.
 */
export function lighterModels(model: string, fallbacks: ModelFallbacks): string[] {
  const chain: string[] = [];
  const visit = (from: string): void => {
    for (const next of Object.hasOwn(fallbacks, from) ? fallbacks[from] : []) {
      if (next === model || chain.includes(next)) continue;
      chain.push(next);
      visit(next);
    }
  };
  visit(model);
  return chain;
}
