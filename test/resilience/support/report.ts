/**
 * Prints a scenario's observed figures (success rate, attempts per request, shares) when
 * `RESILIENCE_REPORT=1`, so the numbers behind the assertions can be read without making the suite noisy.
 */
export function report(scenario: string, figures: Record<string, unknown>): void {
  if (process.env['RESILIENCE_REPORT'] !== '1') return;
  process.stdout.write(`[${scenario}] ${JSON.stringify(figures)}\n`);
}
