/**
 * The parts of an event that grouping reads. Every field is optional and `unknown` on purpose: this
 * folder must accept a raw parsed payload as well as a normalized event, and SDKs send numbers where
 * strings belong, `null` list items and bare lists where `{ values }` belongs. The readers below
 * narrow each value where it is used; the comments give the shape we expect.
 *
 * @example computeGrouping({ message: 'Order 1234 failed', platform: 'node' })
 */
export interface GroupingInput {
  /** `{ values: ExceptionInput[] }` or a bare list, oldest first: the last one is the main exception. */
  exception?: unknown;
  /** Deprecated top-level `StacktraceInput`. */
  stacktrace?: unknown;
  /** `{ values: ThreadInput[] }` or a bare list. */
  threads?: unknown;
  /** `{ message?, formatted?, params? }`: `message` is the template, `formatted` the final text. */
  logentry?: unknown;
  /** A plain string (the final text) or a `logentry`-shaped object. */
  message?: unknown;
  /** A list of strings; `{{ default }}` and other whole-element variables are expanded. */
  fingerprint?: unknown;
  platform?: unknown;
  transaction?: unknown;
  /** Sent only by old clients. */
  culprit?: unknown;
  level?: unknown;
  logger?: unknown;
  /** An object or a list of `[key, value]` pairs. */
  tags?: unknown;
  /** `{ url? }` */
  request?: unknown;
}

export interface ExceptionInput {
  type?: unknown;
  value?: unknown;
  module?: unknown;
  /** `{ type?, synthetic?, handled?, exception_id?, parent_id?, meta?: { ns_error?: { domain?, code? } } }` */
  mechanism?: unknown;
  /** `StacktraceInput` */
  stacktrace?: unknown;
}

/** Frames are ordered caller to callee: the last frame is where the error happened. */
export interface StacktraceInput {
  /** `FrameInput[]` */
  frames?: unknown;
}

export interface FrameInput {
  filename?: unknown;
  abs_path?: unknown;
  module?: unknown;
  function?: unknown;
  package?: unknown;
  platform?: unknown;
  in_app?: unknown;
  lineno?: unknown;
  colno?: unknown;
  context_line?: unknown;
}

/**
 * The text of a scalar: strings as they are, finite numbers and booleans stringified; `undefined`
 * for anything else and for the empty string, so `text(a) ?? text(b)` picks the first usable value.
 */
export function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean')
    return String(value);
  return undefined;
}

/** `value` when it is a non-null, non-array object. */
export function asObject<T extends object = Record<string, unknown>>(value: unknown): T | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as T) : undefined;
}

/** The items of `{ values: [...] }` or of a bare list; `[]` for anything else. */
export function valuesOf(container: unknown): readonly unknown[] {
  if (Array.isArray(container)) return container;
  const values = asObject(container)?.values;
  return Array.isArray(values) ? values : [];
}

/** The exceptions that count: objects with a `type` or a `value` (Relay drops the rest), oldest first. */
export function exceptionsOf(event: GroupingInput): ExceptionInput[] {
  const out: ExceptionInput[] = [];
  for (const item of valuesOf(event.exception)) {
    const exception = asObject<ExceptionInput>(item);
    if (exception && (text(exception.type) !== undefined || text(exception.value) !== undefined)) {
      out.push(exception);
    }
  }
  return out;
}

/** The frame objects of a stack trace, oldest first, skipping `null` and other garbage. */
export function framesOf(stacktrace: unknown): FrameInput[] {
  const frames = asObject<StacktraceInput>(stacktrace)?.frames;
  if (!Array.isArray(frames)) return [];
  const out: FrameInput[] = [];
  for (const frame of frames) {
    const object = asObject<FrameInput>(frame);
    if (object) out.push(object);
  }
  return out;
}

/** True when the exception's mechanism says the SDK made it up (its type is meaningless). */
export function isSynthetic(exception: ExceptionInput | undefined): boolean {
  return asObject(exception?.mechanism)?.synthetic === true;
}

/** The stack trace of the only thread that has frames; `undefined` when there are none or several. */
export function singleThreadStacktrace(event: GroupingInput): unknown {
  let found: unknown;
  for (const item of valuesOf(event.threads)) {
    const stacktrace = asObject(item)?.stacktrace;
    if (framesOf(stacktrace).length === 0) continue;
    if (found !== undefined) return undefined;
    found = stacktrace;
  }
  return found;
}

/**
 * The template and the final text of the event's message. `logentry` wins over an object-shaped
 * `message`; a string `message` is final text, used when the entry has none.
 */
export function messageOf(event: GroupingInput): { template?: string; formatted?: string } {
  const entry = asObject(event.logentry) ?? asObject(event.message);
  return {
    template: text(entry?.message),
    formatted: text(entry?.formatted) ?? text(event.message),
  };
}

/** A tag's value from either tag shape; for pair lists the first occurrence wins. */
export function tagOf(event: GroupingInput, key: string): string | undefined {
  if (Array.isArray(event.tags)) {
    for (const pair of event.tags) {
      if (Array.isArray(pair) && pair[0] === key) return text(pair[1]);
    }
    return undefined;
  }
  const tags = asObject(event.tags);
  return tags && Object.hasOwn(tags, key) ? text(tags[key]) : undefined;
}
