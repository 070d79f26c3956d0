import { asBoolean, asCount, asLenientString, asObject, asString, asValues, compact } from './json-read.js';
import type {
  EventException,
  EventProblem,
  EventStacktrace,
  EventThread,
  ExceptionMechanism,
  StackFrame,
} from './normalized-event.js';

function asLine(value: unknown): number | undefined {
  const n = asCount(value);
  return n === undefined || n === 0 ? undefined : n;
}

function asLines(value: unknown): string[] | undefined {
  // Python sends `null` for lines it could not read; keep the slot so line numbers still line up.
  return Array.isArray(value) ? value.map((line) => asString(line) ?? '') : undefined;
}

function normalizeFrame(value: unknown): StackFrame | undefined {
  const frame = asObject(value);
  if (frame === undefined) return undefined;
  return compact<StackFrame>({
    filename: asString(frame.filename),
    absPath: asString(frame.abs_path),
    function: asString(frame.function),
    rawFunction: asString(frame.raw_function),
    module: asString(frame.module),
    package: asString(frame.package),
    platform: asString(frame.platform),
    lineno: asLine(frame.lineno),
    colno: asLine(frame.colno),
    inApp: asBoolean(frame.in_app),
    contextLine: asString(frame.context_line),
    preContext: asLines(frame.pre_context),
    postContext: asLines(frame.post_context),
    vars: asObject(frame.vars),
    instructionAddr: asString(frame.instruction_addr),
    symbolAddr: asString(frame.symbol_addr),
    imageAddr: asString(frame.image_addr),
  });
}

/** A `{ frames: [...] }` stacktrace; undefined when it has no usable frame. */
export function normalizeStacktrace(value: unknown): EventStacktrace | undefined {
  const frames = asObject(value)?.frames;
  if (!Array.isArray(frames)) return undefined;
  const normalized = frames.map(normalizeFrame).filter((frame) => frame !== undefined);
  return normalized.length === 0 ? undefined : { frames: normalized };
}

function normalizeMechanism(value: unknown): ExceptionMechanism | undefined {
  const mechanism = asObject(value);
  const type = asString(mechanism?.type);
  if (mechanism === undefined || type === undefined) return undefined;
  return compact<ExceptionMechanism>({
    type,
    handled: asBoolean(mechanism.handled),
    synthetic: asBoolean(mechanism.synthetic),
    description: asString(mechanism.description),
    helpLink: asString(mechanism.help_link),
    exceptionId: asCount(mechanism.exception_id),
    parentId: asCount(mechanism.parent_id),
    isExceptionGroup: asBoolean(mechanism.is_exception_group),
    source: asString(mechanism.source),
    meta: asObject(mechanism.meta),
    data: asObject(mechanism.data),
  });
}

function exceptionValue(value: unknown): string | undefined {
  // Some SDKs send an object or number as the value; keep it readable rather than drop it.
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return asLenientString(value);
}

function threadId(value: unknown): string | number | undefined {
  return typeof value === 'number' || typeof value === 'string' ? value : undefined;
}

/**
 * `exception` as `{ values: [...] }` or a bare list (the Go SDK), in the order sent: oldest first,
 * the main exception last. An exception with neither `type` nor `value` is dropped.
 */
export function normalizeExceptions(value: unknown, problems: EventProblem[]): EventException[] {
  if (value === undefined || value === null) return [];
  const values = asValues(value);
  if (values === undefined) {
    problems.push({ type: 'invalid_data', name: 'exception', value });
    return [];
  }
  const exceptions: EventException[] = [];
  values.forEach((item, index) => {
    const raw = asObject(item);
    const exception = compact<EventException>({
      type: asString(raw?.type) || undefined,
      value: exceptionValue(raw?.value),
      module: asString(raw?.module),
      threadId: threadId(raw?.thread_id),
      mechanism: normalizeMechanism(raw?.mechanism),
      stacktrace: normalizeStacktrace(raw?.stacktrace),
    });
    if (exception.type === undefined && exception.value === undefined) {
      problems.push({ type: 'invalid_data', name: `exception.values.${index}` });
      return;
    }
    exceptions.push(exception);
  });
  return exceptions;
}

/** `threads` as `{ values: [...] }` or a bare list; entries that are not objects are dropped. */
export function normalizeThreads(value: unknown): EventThread[] {
  const threads: EventThread[] = [];
  for (const item of asValues(value) ?? []) {
    const thread = asObject(item);
    if (thread === undefined) continue;
    threads.push(
      compact<EventThread>({
        id: threadId(thread.id),
        name: asString(thread.name),
        crashed: asBoolean(thread.crashed),
        current: asBoolean(thread.current),
        main: asBoolean(thread.main),
        stacktrace: normalizeStacktrace(thread.stacktrace),
      }),
    );
  }
  return threads;
}
