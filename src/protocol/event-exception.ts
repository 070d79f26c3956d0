import { asBoolean, asCount, asLenientString, asObject, asString, asValues, compact } from './json-read.js';
import type { EventException, EventProblem, ExceptionMechanism } from './normalized-event.js';

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
    });
    if (exception.type === undefined && exception.value === undefined) {
      problems.push({ type: 'invalid_data', name: `exception.values.${index}` });
      return;
    }
    exceptions.push(exception);
  });
  return exceptions;
}
