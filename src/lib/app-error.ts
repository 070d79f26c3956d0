/** The closed set of error kinds; each maps to one HTTP status. */
export type ErrorCode =
  | 'bad_request'
  | 'not_authenticated'
  | 'forbidden'
  | 'not_found'
  | 'request_timeout'
  | 'conflict'
  | 'too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  not_authenticated: 401,
  forbidden: 403,
  not_found: 404,
  request_timeout: 408,
  conflict: 409,
  too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

/**
 * The one error type: a status from a closed list of codes, and the `detail` a client sees.
 * Anything else thrown becomes a 500 "Internal Error", logged once.
 *
 * @example throw new AppError('not_found', 'The requested resource does not exist');
 */
export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    readonly detail: string | readonly string[] | Record<string, unknown>,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(typeof detail === 'string' ? detail : JSON.stringify(detail));
    this.status = STATUS[code];
  }
}

/** Sentry's text for an object that is not there (or that the caller may not know about). */
export const NOT_FOUND = 'The requested resource does not exist';

export function notFound(): AppError {
  return new AppError('not_found', NOT_FOUND);
}

export function badRequest(detail: string | Record<string, unknown>): AppError {
  return new AppError('bad_request', detail);
}
