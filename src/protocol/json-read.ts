// Lenient readers for untrusted JSON: each returns undefined for a missing, null or mistyped value,
// so normalizers can treat "absent" and "wrong" alike and decide separately whether to complain.

export type JsonObject = Record<string, unknown>;

export function asObject(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as JsonObject)
    : undefined;
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A string, or a finite number or boolean written as one (SDKs send ids and versions as numbers). */
export function asLenientString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean')
    return String(value);
  return undefined;
}

export function asBoolean(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

/** A non-negative safe integer, also from a digit string. */
export function asCount(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** The items of a list, or of a `{ values: [...] }` wrapper, which Sentry accepts interchangeably. */
export function asValues(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  const values = asObject(value)?.values;
  return Array.isArray(values) ? values : undefined;
}

/** Copies the defined entries of `fields` into a new object, so optional fields are absent, not undefined. */
export function compact<T extends object>(fields: T): T {
  const out: Record<string, unknown> = {};
  // A plain loop: this runs for every frame of every event (no entry arrays to allocate).
  for (const key in fields) {
    const value = (fields as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = value;
  }
  return out as T;
}
