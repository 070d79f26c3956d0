import { badRequest, notFound } from '../lib/app-error.js';
import { normalizeEventId } from '../protocol/event-id.js';
import { IssueQueryError } from '../protocol/issue-query.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import type { ApiCall } from './route.js';

/** The `:event` path parameter as a 32-hex event id (dashed UUIDs accepted); anything else is 404. */
export function eventIdParam(call: ApiCall): string {
  try {
    return normalizeEventId(call.params.event);
  } catch (error) {
    if (error instanceof ProtocolError) throw notFound();
    throw error;
  }
}

/** Every string value of a query parameter (`?project=1&project=2`), none when it is absent. */
export const queryValues = (v: unknown): string[] =>
  v === undefined ? [] : (Array.isArray(v) ? v : [v]).filter((e): e is string => typeof e === 'string');

/** The first string value of a query parameter, or undefined. */
export const queryValue = (v: unknown): string | undefined => queryValues(v)[0];

/** Runs a parse of the caller's parameters, turning search syntax errors into Sentry's 400. */
export function parsing<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof IssueQueryError) throw badRequest(error.message);
    throw error;
  }
}
