/**
 * What Errata knows of each envelope item type, in one table (as Relay's `ItemType` does):
 * - `limit`: which size limit its payload is held to at ingest (`event` or `attachment`), if any;
 * - `document`: its payload must be one JSON object, checked at ingest, so that an envelope whose
 *   only substance is a broken one is refused with 400 rather than acknowledged;
 * - `counted`: it counts against rate limits and quotas.
 * Types not listed are accepted and kept, and digest skips them.
 */
const ITEM_TYPES = {
  event: { limit: 'event', document: true, counted: true },
  transaction: { limit: 'event', document: true, counted: true },
  feedback: { limit: 'event', document: true, counted: true },
  span: { limit: 'event', document: false, counted: false },
  log: { limit: 'event', document: false, counted: false },
  otel_log: { limit: 'event', document: false, counted: false },
  trace_metric: { limit: 'event', document: false, counted: false },
  attachment: { limit: 'attachment', document: false, counted: false },
  session: { limit: null, document: false, counted: false },
  sessions: { limit: null, document: false, counted: false },
  client_report: { limit: null, document: false, counted: false },
  user_report: { limit: null, document: false, counted: false },
  check_in: { limit: null, document: false, counted: false },
} as const satisfies Record<string, ItemFacts>;

interface ItemFacts {
  readonly limit: 'event' | 'attachment' | null;
  readonly document: boolean;
  readonly counted: boolean;
}

export type ItemType = keyof typeof ITEM_TYPES;

/** The known type an item header names, or undefined (own keys only: `constructor` is no type). */
export function itemType(name: string): ItemType | undefined {
  return Object.hasOwn(ITEM_TYPES, name) ? (name as ItemType) : undefined;
}

/** What Errata knows of a type (see the table above). */
export function itemFacts(type: ItemType): ItemFacts {
  return ITEM_TYPES[type];
}
