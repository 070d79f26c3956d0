/**
 * Reads a numeric id from URL or body text: decimal digits that fit a safe integer, else null.
 * Anything else ("1e3", "0x1", "99999999999999999999") names no row: looking it up would match a
 * rounded id or, on PostgreSQL, fail as a BIGINT and answer 500 instead of 404.
 *
 * @example parseId('42') // 42
 */
export function parseId(text: string): number | null {
  if (!/^\d+$/.test(text)) return null;
  const id = Number(text);
  return Number.isSafeInteger(id) ? id : null;
}
