import { ALERT_FRAMES, type AlertFrame } from './issue-alert.js';

type Json = Record<string, unknown>;

const obj = (v: unknown): Json | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
/** Sentry's lists come bare or as `{ values: [...] }`. */
const list = (v: unknown): unknown[] =>
  Array.isArray(v) ? v : Array.isArray(obj(v)?.values) ? (obj(v)?.values as unknown[]) : [];
const text = (v: unknown) => (typeof v === 'string' ? v : null);
const int = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * The frames an alert shows of a stored event document (Sentry's event JSON): those of its last
 * exception with a stack trace, else of its own `stacktrace`; the in-app ones, or all when none is
 * marked in-app; innermost first (Sentry lists frames outermost first), at most ALERT_FRAMES.
 */
export function alertFrames(document: unknown): AlertFrame[] {
  const event = obj(document) ?? {};
  const traced = list(event.exception)
    .map((e) => list(obj(obj(e)?.stacktrace)?.frames))
    .filter((frames) => frames.length > 0);
  const frames = (traced.at(-1) ?? list(obj(event.stacktrace)?.frames)).map((f) => obj(f) ?? {});
  const inApp = frames.filter((f) => f.in_app === true);
  return (inApp.length > 0 ? inApp : frames)
    .slice(-ALERT_FRAMES)
    .reverse()
    .map((f) => ({
      filename: text(f.filename),
      function: text(f.function),
      lineno: int(f.lineno),
      colno: int(f.colno),
      module: text(f.module),
    }));
}
