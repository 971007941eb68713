/** Splits items into priority tiers, lowest priority number first, keeping input order inside a tier. */
export function groupByPriority<T extends { priority: number }>(items: readonly T[]): T[][] {
  const sorted = [...items].sort((a, b) => a.priority - b.priority);
  const tiers: T[][] = [];
  for (const item of sorted) {
    const tier = tiers.at(-1);
    if (tier !== undefined && tier[0].priority === item.priority) tier.push(item);
    else tiers.push([item]);
  }
  return tiers;
}
