/** A configuration problem, naming the variable or file field. */
export class GatewayConfigError extends Error {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`Invalid gateway configuration "${field}": ${problem}`);
    this.name = 'GatewayConfigError';
  }
}
