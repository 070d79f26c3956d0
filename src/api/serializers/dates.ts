/** RFC 3339 in UTC with a `Z`, as Sentry writes dates and sentry-cli requires them. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString();
}

export function isoDateOrNull(ms: number | null): string | null {
  return ms === null ? null : isoDate(ms);
}
