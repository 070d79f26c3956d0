import { displayFunction, findCrashFrame } from './crash-frame.js';
import { exceptionsOf, type GroupingInput, tagOf, text } from './grouping-input.js';

/** Marks where `{{ default }}` stood: the default grouping's parts go there. */
export const DEFAULT_GROUPING = Symbol('{{ default }}');

export type FingerprintPart = string | typeof DEFAULT_GROUPING;

// A variable is a whole element: `{{ name }}`, spaces inside the braces optional.
const VARIABLE = /^\{\{\s*(\S+)\s*\}\}$/;

/**
 * The event's `fingerprint` with its variables resolved, or `undefined` when the default grouping
 * applies unchanged: no usable fingerprint, or exactly `['{{ default }}']`. Numbers and booleans
 * are stringified; other non-strings are dropped. Variables: `default`, `transaction`,
 * `type`/`error.type`, `function`/`stack.function`, `module`/`stack.module`,
 * `package`/`stack.package` (of the crash frame), `level`, `logger`, `tags.<key>`; an unknown
 * variable stays as written.
 *
 * @example resolveFingerprint({ fingerprint: ['db', '{{ transaction }}'] }) // ['db', '<no-transaction>']
 */
export function resolveFingerprint(event: GroupingInput): FingerprintPart[] | undefined {
  if (!Array.isArray(event.fingerprint)) return undefined;
  const parts: FingerprintPart[] = [];
  for (const element of event.fingerprint) {
    const value = typeof element === 'string' ? element : text(element);
    if (value !== undefined) parts.push(resolveVariable(event, value));
  }
  if (parts.length === 0 || (parts.length === 1 && parts[0] === DEFAULT_GROUPING)) return undefined;
  return parts;
}

function resolveVariable(event: GroupingInput, element: string): FingerprintPart {
  const name = VARIABLE.exec(element)?.[1];
  if (name === undefined) return element;
  const key = name.toLowerCase();
  switch (key) {
    case 'default':
      return DEFAULT_GROUPING;
    case 'transaction':
      return text(event.transaction) ?? '<no-transaction>';
    case 'type':
    case 'error.type':
      return text(exceptionsOf(event).at(-1)?.type) ?? '<no-type>';
    case 'function':
    case 'stack.function': {
      const frame = findCrashFrame(event);
      return (frame && displayFunction(frame)) ?? '<no-function>';
    }
    case 'module':
    case 'stack.module':
      return text(findCrashFrame(event)?.module) ?? '<no-module>';
    case 'package':
    case 'stack.package':
      return basename(text(findCrashFrame(event)?.package)) ?? '<no-package>';
    case 'level':
      return text(event.level) ?? 'error';
    case 'logger':
      return text(event.logger) ?? '<no-logger>';
  }
  if (key.startsWith('tags.')) {
    const tag = name.slice('tags.'.length);
    return tagOf(event, tag) ?? `<no-value-for-tag-${tag}>`;
  }
  return element;
}

function basename(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1) || undefined;
}
