/** A GitHub markdown table; the first column is left-aligned, the others right-aligned. */
export function table(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const line = (cells: ReadonlyArray<string | number>) =>
    `| ${cells.map((cell) => String(cell).replaceAll('|', '\\|')).join(' | ')} |`;
  const rule = `| ${headers.map((_, index) => (index === 0 ? '---' : '---:')).join(' | ')} |`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

/** A number with a fixed count of decimals, or '–' when there is none. */
export function num(value: number | null | undefined, decimals = 1): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** A ratio in [0, 1] as a percentage. */
export function percent(ratio: number | null | undefined, decimals = 1): string {
  return ratio === null || ratio === undefined ? '–' : `${num(ratio * 100, decimals)}%`;
}

/** A signed difference (`+12.3`). */
export function signed(value: number, decimals = 1): string {
  return `${value >= 0 ? '+' : ''}${num(value, decimals)}`;
}

export function verdict(met: boolean): string {
  return met ? '**met**' : '**missed**';
}

/** Text from a child's output or an error, fenced so it renders as is. */
export function fenced(text: string): string {
  return ['```text', text.trim().replaceAll('```', "'''"), '```'].join('\n');
}
