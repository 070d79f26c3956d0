const ISO = /(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z?)/g;
// Epoch seconds as JSON values (the JavaScript SDK's `timestamp`): ten digits, a fraction.
const EPOCH = /(?<=:)(1\d{9})\.(\d+)(?=[,}\]])/g;
const DAY_MS = 86_400_000;

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/**
 * Moves every ISO 8601 time and every epoch-seconds number within a day of `capturedAt` by
 * `deltaMs`, keeping each one's length and precision, so that a captured SDK body reads as if it
 * were sent now while envelope item `length` headers stay right.
 *
 * @example
 * shiftTimestamps('{"timestamp":"2026-11-28T17:51:59.570627Z"}', capturedAt, 1000)
 * // '{"timestamp":"2026-11-28T17:52:00.570627Z"}'
 */
export function shiftTimestamps(text: string, capturedAt: number, deltaMs: number): string {
  const near = (ms: number) => Math.abs(ms - capturedAt) < DAY_MS;
  const shifted = text.replace(
    ISO,
    (match, y, mo, d, h, mi, s, fraction: string | undefined, zone: string) => {
      const digits = fraction?.length ?? 0;
      const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
      if (!near(base)) return match;
      // Whole microseconds at most: enough for the SDKs' precision, exact in a double.
      const micros = Math.round(Number(`0.${fraction ?? '0'}`) * 1e6) + Math.round(deltaMs * 1000);
      const date = new Date(base + Math.floor(micros / 1000));
      const sub = (((micros % 1e6) + 1e6) % 1e6) / 1e6;
      const frac =
        digits > 0
          ? `.${String(sub.toFixed(Math.min(digits, 6)))
              .slice(2)
              .padEnd(digits, '0')}`
          : '';
      return (
        `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}` +
        `T${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}${frac}${zone}`
      );
    },
  );
  return shifted.replace(EPOCH, (match, whole: string, fraction: string) => {
    const seconds = Number(`${whole}.${fraction}`);
    if (!near(seconds * 1000)) return match;
    return (seconds + deltaMs / 1000).toFixed(fraction.length);
  });
}
