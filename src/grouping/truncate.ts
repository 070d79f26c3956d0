/**
 * `value` cut to at most `max` characters, ending in `…` when something was cut. Lengths count UTF-16
 * code units, as `String#length` does; a surrogate pair is never split.
 *
 * @example truncate('abcdef', 4) // 'abc…'
 */
export function truncate(value: string, max: number): string {
  if (value.length <= max) return value;
  let end = max - 1;
  const code = value.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${value.slice(0, end)}…`;
}
