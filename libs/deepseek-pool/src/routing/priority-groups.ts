/** Splits items into priority groups, lowest priority number first, keeping input order inside a group. */
export function groupByPriority<T extends { priority: number }>(items: readonly T[]): T[][] {
  const sorted = [...items].sort((a, b) => a.priority - b.priority);
  const groups: T[][] = [];
  for (const item of sorted) {
    const group = groups.at(-1);
    if (group !== undefined && group[0].priority === item.priority) group.push(item);
    else groups.push([item]);
  }
  return groups;
}
