import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Engine } from '../../db.js';

/**
 * What the events endpoint's spans and transactions datasets filter and group on, as columns of
 * `spans`: the transaction (segment) a span belongs to, its root's span id, whether the span is
 * that root, and the environment and release. Spans stored before are filled from what they kept:
 * a transaction's spans from its event row, a streamed (v2) span from its own attributes.
 */
export function spanSegments(engine: Engine): Migration {
  return {
    async up(db: Kysely<any>) {
      // One column a statement: SQLite adds no more.
      for (const column of ['transaction_name', 'segment_id', 'environment', 'release']) {
        await db.schema.alterTable('spans').addColumn(column, 'text').execute();
      }
      await db.schema
        .alterTable('spans')
        .addColumn('is_segment', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await backfillSpanSegments(db, engine);
      // Every query of the datasets reads a project's window of start times. Summaries of
      // transactions read only segment roots, a tenth of the spans or less: a partial index of
      // them holding every column those summaries read answers them without the table.
      await db.schema
        .createIndex('spans_project_start')
        .on('spans')
        .columns(['project_id', 'start_timestamp'])
        .execute();
      await db.schema
        .createIndex('spans_segments')
        .on('spans')
        .columns(['project_id', 'start_timestamp', 'transaction_name', 'timestamp', 'status'])
        .where(sql.ref('is_segment'), '=', 1)
        .execute();
    },
  };
}

/**
 * The text at a path of the span's JSON `data`, null where it is missing or not text. On
 * PostgreSQL a `\u0000` escape cannot become text: such rows keep nulls rather than fail the
 * migration.
 */
function dataText(engine: Engine, path: readonly string[]) {
  if (engine === 'sqlite') {
    const jsonPath = `$${path.map((p) => `."${p}"`).join('')}`;
    return sql`(case when json_valid(data) and json_type(data, ${jsonPath}) = 'text'
      then json_extract(data, ${jsonPath}) end)`;
  }
  const pgPath = `{${path.map((p) => `"${p}"`).join(',')}}`;
  return sql`(case when strpos(data, '\\u0000') = 0 and json_typeof(cast(data as json) #> cast(${pgPath} as text[])) = 'string'
      then cast(data as json) #>> cast(${pgPath} as text[]) end)`;
}

/** Whether the JSON `data` holds `true` at the key. */
function dataTrue(engine: Engine, key: string) {
  return engine === 'sqlite'
    ? sql`(json_valid(data) and json_type(data, ${`$."${key}"`}) = 'true')`
    : sql`(strpos(data, '\\u0000') = 0 and json_typeof(cast(data as json) -> ${key}) = 'boolean'
        and cast(data as json) ->> ${key} = 'true')`;
}

/** Whether the JSON `data` has the key at all. */
function dataHas(engine: Engine, key: string) {
  return engine === 'sqlite'
    ? sql`(json_valid(data) and json_type(data, ${`$."${key}"`}) is not null)`
    : sql`(strpos(data, '\\u0000') = 0 and cast(data as json) -> ${key} is not null)`;
}

/** Whether `segment_id` is not a span id (16 lowercase hex), as digest reads one. */
function notSpanId(engine: Engine) {
  return engine === 'sqlite'
    ? sql`not (segment_id glob ${'[0-9a-f]'.repeat(16)})`
    : sql`segment_id !~ '^[0-9a-f]{16}$'`;
}

/**
 * Fills the segment columns of spans stored before they existed, as digest fills them now
 * (digest/items/transaction.ts, digest/items/span.ts).
 */
export async function backfillSpanSegments(db: Kysely<any>, engine: Engine): Promise<void> {
  // A transaction's spans take its name, environment and release. Its root span is the one made
  // from `contexts.trace`, whose data (the trace context) has no start_timestamp of its own.
  const ofEvent = (column: string) =>
    sql`(select ${sql.ref(`e.${column}`)} from events e
      where e.project_id = spans.project_id and e.event_id = spans.transaction_event_id)`;
  await sql`update spans set
      transaction_name = ${ofEvent('transaction_name')},
      environment = ${ofEvent('environment')},
      release = ${ofEvent('release')},
      is_segment = case when ${dataHas(engine, 'start_timestamp')} then 0 else 1 end
    where transaction_event_id is not null`.execute(db);
  // The root is looked for in the span's own trace, which the unique index finds quickly.
  await sql`update spans set segment_id = (select min(r.span_id) from spans r
      where r.project_id = spans.project_id and r.trace_id = spans.trace_id
        and r.transaction_event_id = spans.transaction_event_id and r.is_segment = 1)
    where transaction_event_id is not null`.execute(db);

  // A span sent on its own: a v2 span names its segment in its attributes (each `{value, type}`,
  // or a bare value), a v1 span may say `is_segment` and `segment_id`. A root that names no
  // segment is its own.
  const attribute = (name: string) =>
    sql`coalesce(${dataText(engine, ['attributes', name, 'value'])}, ${dataText(engine, ['attributes', name])})`;
  await sql`update spans set
      transaction_name = ${attribute('sentry.segment.name')},
      environment = ${attribute('sentry.environment')},
      release = ${attribute('sentry.release')},
      segment_id = lower(coalesce(${attribute('sentry.segment.id')}, ${dataText(engine, ['segment_id'])}))
    where transaction_event_id is null`.execute(db);
  await sql`update spans set segment_id = null
    where transaction_event_id is null and segment_id is not null and ${notSpanId(engine)}`.execute(db);
  await sql`update spans set is_segment = 1
    where transaction_event_id is null and (${dataTrue(engine, 'is_segment')} or segment_id = span_id)`.execute(
    db,
  );
  await sql`update spans set segment_id = span_id
    where transaction_event_id is null and is_segment = 1 and segment_id is null`.execute(db);
}
