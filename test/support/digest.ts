// A database with real projects, and a way to run envelopes through the item digesters the way
// the digest worker does: one transaction per envelope, every item whose type has a digester.
import type { Kysely } from 'kysely';
import type { ItemContext, ItemDigester } from '../../src/digest/item-digester.js';
import { digesterOf } from '../../src/digest/item-digesters.js';
import { type EnvelopeHeaders, parseEnvelope } from '../../src/protocol/envelope.js';
import { normalizeEventId } from '../../src/protocol/event-id.js';
import type { ServiceContext } from '../../src/services/context.js';
import type { Engine } from '../../src/store/db.js';
import type { ClaimedEnvelope } from '../../src/store/region/raw-queue.js';
import type { RegionSchema } from '../../src/store/schema.js';
import { openTestDatabase, type TestDatabase } from './engines.js';
import { makeOrg, makeProject, makeUser, testConfig } from './harness.js';
import { RecordingMailer } from './mail.js';

/** Just after the fixtures were captured (17:24:27Z), so their timestamps are recent, not drifted. */
export const FIXTURE_RECEIVED_AT = Date.parse('2026-11-28T17:24:28.000Z');

export interface DigestWorld {
  readonly database: TestDatabase;
  readonly db: Kysely<RegionSchema>;
  readonly engine: Engine;
  /** A new project (in a new organization), so each test reads only its own rows. */
  newProject(): Promise<number>;
  close(): Promise<void>;
}

export async function openDigestWorld(engine: Engine): Promise<DigestWorld> {
  const database = await openTestDatabase(engine);
  const services: ServiceContext = {
    db: database.db,
    config: testConfig(),
    mailer: new RecordingMailer(),
    now: () => Date.now(),
  };
  const owner = await makeUser(services);
  return {
    database,
    db: database.db.region,
    engine,
    async newProject() {
      const { org, team } = await makeOrg(services, owner);
      return (await makeProject(services, org, team)).project.id;
    },
    close: () => database.drop(),
  };
}

export interface DigestOptions {
  readonly receivedAt?: number;
  /** The id ingest answered with; default the envelope header's `event_id`. */
  readonly eventId?: string | null;
  /** The digester of an item type; default every one digest has. */
  readonly digesters?: (type: string) => ItemDigester | undefined;
}

export function storedRaw(
  projectId: number,
  payload: Buffer,
  receivedAt = FIXTURE_RECEIVED_AT,
): ClaimedEnvelope {
  return {
    id: 1,
    projectId,
    keyId: 1,
    kind: 'envelope',
    receivedAt,
    eventId: null,
    clientIp: '127.0.0.1',
    payload,
  };
}

function headerEventId(headers: EnvelopeHeaders): string | null {
  return headers.event_id === undefined || headers.event_id === null
    ? null
    : normalizeEventId(headers.event_id);
}

/**
 * Parses an (already decompressed) envelope body and digests its items in one transaction; returns
 * what the digesters rejected.
 */
export async function digestBody(
  world: DigestWorld,
  projectId: number,
  body: Buffer,
  options: DigestOptions = {},
): Promise<{ count: number; reason: string }[]> {
  const envelope = parseEnvelope(body);
  const eventId = options.eventId === undefined ? headerEventId(envelope.headers) : options.eventId;
  const raw = { ...storedRaw(projectId, body, options.receivedAt), eventId };
  const digesters = options.digesters ?? digesterOf;
  const rejects: { count: number; reason: string }[] = [];
  await world.db.transaction().execute(async (trx) => {
    const ctx: ItemContext = {
      trx,
      engine: world.engine,
      raw,
      envelopeHeaders: envelope.headers,
      eventId,
      reject: (count, reason) => rejects.push({ count, reason }),
    };
    for (const item of envelope.items) {
      const digest = digesters(item.headers.type);
      if (digest) await digest(ctx, item);
    }
  });
  return rejects;
}

type ProjectTable =
  | 'events'
  | 'spans'
  | 'attachments'
  | 'release_health'
  | 'client_outcomes'
  | 'user_reports'
  | 'check_ins'
  | 'logs';

/** How many rows of the table belong to the project. */
export async function countRows(world: DigestWorld, table: ProjectTable, projectId: number): Promise<number> {
  const row = await world.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('project_id', '=', projectId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
