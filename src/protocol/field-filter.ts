import { IssueQueryError } from './issue-query.js';

// Comparisons in a search query on numeric fields: `span.duration:>100`, `span.duration:<=1.5s`,
// `severity_number:17`.

export type Comparison = '>' | '>=' | '<' | '<=' | '=';

export interface NumberFilter {
  readonly operator: Comparison;
  readonly value: number;
}

/** Milliseconds in each unit a duration may be written in, by Sentry's spellings. */
const DURATION_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  w: 604_800_000,
  wk: 604_800_000,
};

const FILTER = /^(>=|<=|>|<|=)?(-?\d+(?:\.\d+)?)([a-z]*)$/;

function invalid(message: string): IssueQueryError {
  return new IssueQueryError(`Error parsing search query: ${message}`);
}

/**
 * A number with an optional comparison (`=` when none). A duration's number is milliseconds
 * unless a unit follows it: `ms`, `s`, `m`/`min`, `h`/`hr`, `d`/`day`, `w`/`wk`.
 *
 * @example parseNumberFilter('span.duration', '>1.5s', 'duration') // { operator: '>', value: 1500 }
 */
export function parseNumberFilter(key: string, text: string, kind: 'number' | 'duration'): NumberFilter {
  const m = FILTER.exec(text.trim());
  const unit = m?.[3] ?? '';
  if (m && kind === 'duration' && (unit === '' || Object.hasOwn(DURATION_MS, unit))) {
    const scale = unit === '' ? 1 : (DURATION_MS[unit] as number);
    return { operator: (m[1] ?? '=') as Comparison, value: Number(m[2]) * scale };
  }
  if (m && kind === 'number' && unit === '') {
    return { operator: (m[1] ?? '=') as Comparison, value: Number(m[2]) };
  }
  if (kind === 'duration') {
    throw invalid(
      `Invalid duration for "${key}": ${text}. Expected a number of milliseconds or a number and a unit (ms, s, min, hr, day, wk), e.g. ${key}:>1s.`,
    );
  }
  throw invalid(
    `Invalid number for "${key}": ${text}. Expected a number with an optional comparison, e.g. ${key}:>10.`,
  );
}
