import { asString } from './json-read.js';

const TRACE_ID = /^[0-9a-f]{32}$/;
const DASHED_TRACE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

/** A trace id as 32 lowercase hex (also from the dashed UUID form); undefined otherwise. */
export function readTraceId(value: unknown): string | undefined {
  const id = asString(value)?.toLowerCase();
  if (id === undefined) return undefined;
  if (TRACE_ID.test(id)) return id;
  return DASHED_TRACE_ID.test(id) ? id.replaceAll('-', '') : undefined;
}

/** A span id as 16 lowercase hex; undefined otherwise. */
export function readSpanId(value: unknown): string | undefined {
  const id = asString(value)?.toLowerCase();
  return id !== undefined && SPAN_ID.test(id) ? id : undefined;
}
