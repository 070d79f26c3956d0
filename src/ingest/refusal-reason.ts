import { AppError } from '../lib/app-error.js';
import { isDatabaseUnavailable } from '../store/unavailable.js';

/** Why ingest refused a request, as the metrics count it: a closed set, so labels stay few. */
export type RefusalReason =
  | 'rate_limited'
  | 'unauthenticated'
  | 'forbidden'
  | 'invalid'
  | 'too_large'
  | 'timeout'
  | 'unavailable'
  | 'error';

/** The reason of an error an ingest handler threw (after `asIngestError`). */
export function refusalReason(error: unknown): RefusalReason {
  if (error instanceof AppError) {
    switch (error.code) {
      case 'rate_limited':
        return 'rate_limited';
      case 'not_authenticated':
        return 'unauthenticated';
      case 'forbidden':
        return 'forbidden';
      case 'bad_request':
      case 'unsupported_media_type':
        return 'invalid';
      case 'too_large':
        return 'too_large';
      case 'request_timeout':
        return 'timeout';
      case 'unavailable':
        return 'unavailable';
      default:
        return 'error';
    }
  }
  return isDatabaseUnavailable(error) ? 'unavailable' : 'error';
}
