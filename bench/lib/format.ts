/** 12,345 */
export function int(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Milliseconds with one decimal under 100, none above. */
export function ms(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '–';
  return n < 100 ? n.toFixed(1) : int(n);
}

export function mb(n: number): string {
  return n.toFixed(0);
}

export function ratio(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return '–';
  return n < 10 ? `${n.toFixed(2)}×` : `${n.toFixed(1)}×`;
}

export function percent(n: number): string {
  return `${n.toFixed(n < 10 ? 1 : 0)} %`;
}

/** A Markdown table; cells must not contain `|` unescaped. */
export function table(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  align?: readonly ('l' | 'r')[],
): string {
  const rule = head.map((_, i) => ((align?.[i] ?? 'l') === 'r' ? '---:' : '---'));
  return [head, rule, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
