// Sentry's aggregate functions in the `field` and `sort` parameters of the events endpoint:
// `count()`, `p95(span.duration)`, `percentile(span.duration, 0.99)`, `failure_rate()`.

/** A field written as a call: the function's name and its arguments as written, trimmed. */
export interface FunctionCall {
  readonly name: string;
  readonly args: readonly string[];
}

const CALL = /^([A-Za-z_][\w.]*)\((.*)\)$/s;

/**
 * The call a field is, or undefined for a plain field. Commas inside brackets belong to the
 * argument (`count_unique(tags[size,number])`).
 *
 * @example parseFunctionCall('percentile(span.duration, 0.99)') // { name: 'percentile', args: ['span.duration', '0.99'] }
 */
export function parseFunctionCall(field: string): FunctionCall | undefined {
  const m = CALL.exec(field.trim());
  if (!m) return undefined;
  const inner = (m[2] as string).trim();
  if (inner === '') return { name: m[1] as string, args: [] };
  const args: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of inner) {
    if (c === '[' || c === '(') depth++;
    if (c === ']' || c === ')') depth--;
    if (c === ',' && depth === 0) {
      args.push(current.trim());
      current = '';
    } else current += c;
  }
  args.push(current.trim());
  return { name: m[1] as string, args };
}

/** What kind of argument a function reads. */
export type ArgumentKind =
  /** None at all: `count()`, `failure_rate()`. */
  | 'none'
  /** Any field, or none: `count()` counts rows, `count(field)` the rows that have the field. */
  | 'optional-field'
  | 'field'
  /** A number or duration. */
  | 'numeric'
  /** A number, duration or date: the smallest or largest. */
  | 'ordered'
  /** A number or duration, then a quantile between 0 and 1. */
  | 'numeric-quantile';

/** How many arguments each kind takes. */
export const ARITY: Readonly<Record<ArgumentKind, readonly number[]>> = {
  none: [0],
  'optional-field': [0, 1],
  field: [1],
  numeric: [1],
  ordered: [1],
  'numeric-quantile': [2],
};

export interface FunctionSpec {
  readonly argument: ArgumentKind;
  /** The quantile of p50 … p100. */
  readonly quantile?: number;
}

/** The functions Errata answers, by Sentry's names. */
export const EVENT_FUNCTIONS: ReadonlyMap<string, FunctionSpec> = new Map<string, FunctionSpec>([
  ['count', { argument: 'optional-field' }],
  ['count_unique', { argument: 'field' }],
  ['avg', { argument: 'numeric' }],
  ['sum', { argument: 'numeric' }],
  ['min', { argument: 'ordered' }],
  ['max', { argument: 'ordered' }],
  ['p50', { argument: 'numeric', quantile: 0.5 }],
  ['p75', { argument: 'numeric', quantile: 0.75 }],
  ['p90', { argument: 'numeric', quantile: 0.9 }],
  ['p95', { argument: 'numeric', quantile: 0.95 }],
  ['p99', { argument: 'numeric', quantile: 0.99 }],
  ['p100', { argument: 'numeric', quantile: 1 }],
  ['percentile', { argument: 'numeric-quantile' }],
  ['failure_rate', { argument: 'none' }],
]);

/**
 * The statuses Sentry does not count as failures in `failure_rate()`: every other status a
 * transaction or span ends with (`internal_error`, `deadline_exceeded`, the v2 spans' `error`, …)
 * is one. A span without a status counts as `unknown`.
 */
export const NOT_FAILED_STATUSES: readonly string[] = ['ok', 'cancelled', 'unknown'];
