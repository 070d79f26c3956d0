import { asLenientString, asObject, asString, type JsonObject } from './json-read.js';
import type { EventMessage, EventProblem } from './normalized-event.js';

/** Sentry's message limit (ingestion.md §5.2); longer text is cut. */
export const MAX_MESSAGE_LENGTH = 8192;

function paramText(param: unknown): string {
  if (typeof param === 'string') return param;
  if (typeof param === 'object' && param !== null) return JSON.stringify(param);
  return String(param);
}

/**
 * Fills a logging template the way the Python SDK's templates expect: positional `%s`/`%d`/`%i`/
 * `%f`/`%r` from a params list, `%(name)s` or `{name}` from a params object, `%%` → `%`.
 * A placeholder without a param stays as written.
 *
 * @example
 * formatMessage('order %s failed after %d tries', ['A-1', 3]) // 'order A-1 failed after 3 tries'
 */
export function formatMessage(template: string, params: unknown[] | JsonObject): string {
  if (Array.isArray(params)) {
    let next = 0;
    return template.replace(/%([%sdifr])/g, (match, kind: string) => {
      if (kind === '%') return '%';
      return next < params.length ? paramText(params[next++]) : match;
    });
  }
  return template.replace(
    /%\((\w+)\)[sdifr]|\{(\w+)\}/g,
    (match, percentName?: string, braceName?: string) => {
      const name = (percentName ?? braceName) as string;
      return Object.hasOwn(params, name) ? paramText(params[name]) : match;
    },
  );
}

function cut(text: string, name: string, problems: EventProblem[]): string {
  if (text.length <= MAX_MESSAGE_LENGTH) return text;
  problems.push({ type: 'value_too_long', name });
  return text.slice(0, MAX_MESSAGE_LENGTH);
}

function fromLogentry(name: string, entry: JsonObject, problems: EventProblem[]): EventMessage | undefined {
  const template = asLenientString(entry.message);
  const rawParams = entry.params;
  const params = Array.isArray(rawParams) ? rawParams : asObject(rawParams);
  let formatted = asLenientString(entry.formatted);
  if (formatted === undefined && template !== undefined) {
    formatted = params === undefined ? template : formatMessage(template, params);
  }
  if (formatted === undefined) return undefined;
  const message: EventMessage = { formatted: cut(formatted, `${name}.formatted`, problems) };
  if (template !== undefined) message.template = cut(template, `${name}.message`, problems);
  if (params !== undefined) message.params = params;
  return message;
}

/**
 * The event's message from `logentry` (canonical), its legacy alias `sentry.interfaces.Message`,
 * or `message`, which may be a plain string (JS, Python `capture_message`) or a logentry-shaped
 * object. `formatted` falls back to the template filled with `params` (Python logging sends
 * `{ message: 'order %s failed', params: ['A-1'] }` and no `formatted`).
 */
export function normalizeMessage(data: JsonObject, problems: EventProblem[]): EventMessage | undefined {
  for (const name of ['logentry', 'sentry.interfaces.Message', 'message']) {
    const value = data[name];
    const entry = asObject(value);
    if (entry !== undefined) {
      const message = fromLogentry(name, entry, problems);
      if (message !== undefined) return message;
    } else {
      const text = asString(value);
      if (text !== undefined && text !== '') return { formatted: cut(text, name, problems) };
    }
  }
  return undefined;
}
