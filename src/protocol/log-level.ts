/**
 * The levels of Sentry's structured logs and the OpenTelemetry severity number each starts at
 * (a level spans four numbers: `info` is 9–12).
 */
export const LOG_LEVELS = { trace: 1, debug: 5, info: 9, warn: 13, error: 17, fatal: 21 } as const;

export type LogLevel = keyof typeof LOG_LEVELS;

/** Spellings other loggers use for the same levels. */
const ALIASES: Readonly<Record<string, LogLevel>> = { warning: 'warn', critical: 'fatal', err: 'error' };

/**
 * The level a name means, ignoring case, or undefined.
 *
 * @example
 * logLevel('WARNING') // 'warn'
 */
export function logLevel(name: string): LogLevel | undefined {
  const lower = name.toLowerCase();
  if (Object.hasOwn(LOG_LEVELS, lower)) return lower as LogLevel;
  return ALIASES[lower];
}

/** The level a severity number (1–24) falls in. */
export function levelOfSeverity(severity: number): LogLevel {
  let level: LogLevel = 'trace';
  for (const [name, first] of Object.entries(LOG_LEVELS) as [LogLevel, number][]) {
    if (severity >= first) level = name;
  }
  return level;
}
