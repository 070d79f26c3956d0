import type { Kysely } from 'kysely';
import { decompressDocument, packDocument } from '../../lib/compression.js';
import { type BulkInsert, bulkInsert } from '../bulk-insert.js';
import type { Engine } from '../db.js';
import type { RegionSchema } from '../schema.js';

type Db = Kysely<RegionSchema>;

export interface NewEvent {
  readonly projectId: number;
  readonly issueId: number | null;
  readonly eventId: string;
  readonly type: string;
  readonly timestamp: number;
  readonly receivedAt: number;
  readonly level: string;
  readonly title: string;
  readonly message: string;
  readonly culprit: string | null;
  readonly release: string | null;
  readonly environment: string | null;
  readonly platform: string | null;
  readonly transactionName: string | null;
  readonly traceId: string | null;
  readonly userKey: string | null;
  readonly tags: readonly (readonly [string, string])[];
  /** The stored event document: JSON text, or already packed by `packDocument` (lib/compression.ts). */
  readonly data: string | Uint8Array;
}

export async function eventExists(db: Db, projectId: number, eventId: string): Promise<boolean> {
  const row = await db
    .selectFrom('events')
    .select('id')
    .where('project_id', '=', projectId)
    .where('event_id', '=', eventId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Which of the event ids the project has stored already. */
export async function existingEventIds(
  db: Db,
  projectId: number,
  eventIds: readonly string[],
): Promise<Set<string>> {
  const found = new Set<string>();
  for (let at = 0; at < eventIds.length; at += IN_CHUNK) {
    const rows = await db
      .selectFrom('events')
      .select('event_id')
      .where('project_id', '=', projectId)
      .where('event_id', 'in', eventIds.slice(at, at + IN_CHUNK))
      .execute();
    for (const row of rows) found.add(row.event_id);
  }
  return found;
}

/** An events row's stored document (JSON text), wherever the row keeps it. */
export function storedDocument(row: {
  readonly data: string;
  readonly data_packed: Uint8Array | null;
}): string {
  return row.data_packed ? decompressDocument(row.data_packed) : row.data;
}

function stored(packed: string | Uint8Array): { data: string; data_packed: Buffer | null } {
  if (typeof packed === 'string') return { data: packed, data_packed: null };
  // A Buffer crosses a thread boundary as a plain Uint8Array; the drivers bind Buffers.
  return { data: '', data_packed: Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength) };
}

/** Ids per IN list: far below either engine's parameter limit. */
const IN_CHUNK = 500;

function eventRow(event: NewEvent) {
  return {
    project_id: event.projectId,
    issue_id: event.issueId,
    event_id: event.eventId,
    type: event.type,
    timestamp: event.timestamp,
    received_at: event.receivedAt,
    level: event.level,
    title: event.title,
    message: event.message,
    culprit: event.culprit,
    release: event.release,
    environment: event.environment,
    platform: event.platform,
    transaction_name: event.transactionName,
    trace_id: event.traceId,
    user_key: event.userKey,
    tags: JSON.stringify(event.tags),
    // Documents are stored compressed, a tiny one as text.
    ...stored(typeof event.data === 'string' ? packDocument(event.data) : event.data),
  };
}

type EventColumn = keyof ReturnType<typeof eventRow>;
/** The columns of `eventRow`, in the order `insertEvents` binds them. */
const EVENT_COLUMNS = [
  'project_id',
  'issue_id',
  'event_id',
  'type',
  'timestamp',
  'received_at',
  'level',
  'title',
  'message',
  'culprit',
  'release',
  'environment',
  'platform',
  'transaction_name',
  'trace_id',
  'user_key',
  'tags',
  'data',
  'data_packed',
] as const satisfies readonly EventColumn[];
// Fails to compile when eventRow gains a column this list lacks.
const everyColumn: Exclude<EventColumn, (typeof EVENT_COLUMNS)[number]> extends never ? true : never = true;
void everyColumn;
const INSERT_EVENTS: BulkInsert = {
  table: 'events',
  columns: EVENT_COLUMNS,
  tail: 'on conflict (project_id, event_id) do nothing',
  maxRows: 100,
};

/**
 * Inserts events in multi-row statements, skipping ids the project has already (digest writes a
 * batch of events at once: one statement per hundred, a few on SQLite (`statementSizes`), rather
 * than one per event).
 */
export async function insertEvents(db: Db, engine: Engine, events: readonly NewEvent[]): Promise<void> {
  const rows = events.map((event) => {
    const row = eventRow(event);
    return EVENT_COLUMNS.map((column) => row[column]);
  });
  await bulkInsert(db, engine, INSERT_EVENTS, rows);
}

/** Inserts an event unless the project has one with the same id already; true when inserted. */
export async function insertEvent(db: Db, event: NewEvent): Promise<boolean> {
  const result = await db
    .insertInto('events')
    .values(eventRow(event))
    .onConflict((oc) => oc.columns(['project_id', 'event_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function setProjectFirstEvent(db: Db, projectId: number, timestamp: number): Promise<void> {
  await db
    .updateTable('projects')
    .set({ first_event: timestamp })
    .where('id', '=', projectId)
    .where('first_event', 'is', null)
    .execute();
}
