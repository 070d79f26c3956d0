// Error codes that mean "the database cannot be reached right now", not "the query is wrong".
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
]);
// PostgreSQL SQLSTATE classes 08 (connection exception) and 57P (operator intervention: shutdown, restart).
const SQLSTATE = /^(08|57P)/;

/** The code of an error that says the store cannot take writes right now, whatever the engine. */
export const STORE_UNAVAILABLE = 'ERRATA_STORE_UNAVAILABLE';

/** True when a database error means the database is down or unreachable (answer 503, retry later). */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (
    let e = error as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 5;
    depth++
  ) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (
      NETWORK.has(code) ||
      SQLSTATE.test(code) ||
      code === 'SQLITE_BUSY' ||
      code === 'SQLITE_IOERR' ||
      code === STORE_UNAVAILABLE
    )
      return true;
    const message = typeof e.message === 'string' ? e.message : '';
    if (
      /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error/i.test(
        message,
      )
    )
      return true;
    e = e.cause as typeof e;
  }
  return false;
}
