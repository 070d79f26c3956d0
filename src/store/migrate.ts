import { type Kysely, sql } from 'kysely';
import { type Migration, type MigrationResult, Migrator } from 'kysely/migration';
import type { Database, Engine } from './db.js';
import { identity } from './migrations/control/20261128T1700-identity.js';
import { loginFailures } from './migrations/control/20261128T2000-login-failures.js';
import { regionMappings } from './migrations/control/20261209T0000-region-mappings.js';
import { passwordResets } from './migrations/control/20261209T0400-password-resets.js';
import { notificationSettings as userNotificationSettings } from './migrations/control/20261209T0410-notification-settings.js';
import { organizations } from './migrations/region/20261128T1700-organizations.js';
import { events } from './migrations/region/20261128T1800-events.js';
import { issueTriage } from './migrations/region/20261128T1900-issue-triage.js';
import { rateCounters } from './migrations/region/20261128T1910-rate-counters.js';
import { compressedPayloads } from './migrations/region/20261128T2100-compressed-payloads.js';
import { packedDocuments } from './migrations/region/20261128T2200-packed-documents.js';
import { rawEnvelopeNode } from './migrations/region/20261128T2300-raw-envelope-node.js';
import { issueTagTopValues } from './migrations/region/20261206T2000-issue-tag-top-values.js';
import { rawEnvelopeDropNode } from './migrations/region/20261207T0000-raw-envelope-drop-node.js';
import { rawPayloadStorage } from './migrations/region/20261207T0100-raw-payload-storage.js';
import { releases } from './migrations/region/20261207T2300-releases.js';
import { environments } from './migrations/region/20261208T0500-environments.js';
import { commits } from './migrations/region/20261208T0600-commits.js';
import { artifactBundles } from './migrations/region/20261208T1200-artifact-bundles.js';
import { releaseEvents } from './migrations/region/20261208T1300-release-events.js';
import { alertRules } from './migrations/region/20261209T0100-alert-rules.js';
import { notificationOutbox } from './migrations/region/20261209T0200-notification-outbox.js';
import { notificationSettings as projectNotificationSettings } from './migrations/region/20261209T0410-notification-settings.js';
import { alertRuleFires } from './migrations/region/20261209T0500-alert-rule-fires.js';
import { eventUsers } from './migrations/region/20261210T0900-event-users.js';
import { monitors } from './migrations/region/20261211T1000-monitors.js';
import { sessionHealth } from './migrations/region/20261212T0900-session-health.js';
import { lastReleaseSeen } from './migrations/region/20261213T0900-last-release-seen.js';
import { logs } from './migrations/region/20261213T1000-logs.js';
import { retention } from './migrations/region/20261213T1100-retention.js';
import { outcomes } from './migrations/region/20261213T1200-outcomes.js';
import { eventsTrace } from './migrations/region/20261214T0900-events-trace.js';
import { spanSegments } from './migrations/region/20261214T1000-span-segments.js';

/** The control store's migrations, in order; names are timestamp-prefixed and never renamed. */
function controlMigrations(engine: Engine): Record<string, Migration> {
  return {
    '20261128T1700-identity': identity(engine),
    '20261128T2000-login-failures': loginFailures(engine),
    '20261209T0000-region-mappings': regionMappings(engine),
    '20261209T0400-password-resets': passwordResets(engine),
    '20261209T0410-notification-settings': userNotificationSettings(engine),
  };
}

/** A region store's migrations, in order. */
function regionMigrations(engine: Engine): Record<string, Migration> {
  return {
    '20261128T1700-organizations': organizations(engine),
    '20261128T1800-events': events(engine),
    '20261128T1900-issue-triage': issueTriage(engine),
    '20261128T1910-rate-counters': rateCounters(engine),
    '20261128T2100-compressed-payloads': compressedPayloads(engine),
    '20261128T2200-packed-documents': packedDocuments(),
    '20261128T2300-raw-envelope-node': rawEnvelopeNode(),
    '20261206T2000-issue-tag-top-values': issueTagTopValues(),
    '20261207T0000-raw-envelope-drop-node': rawEnvelopeDropNode(),
    '20261207T0100-raw-payload-storage': rawPayloadStorage(engine),
    '20261207T2300-releases': releases(engine),
    '20261208T0500-environments': environments(engine),
    '20261208T0600-commits': commits(engine),
    '20261208T1200-artifact-bundles': artifactBundles(engine),
    '20261208T1300-release-events': releaseEvents(engine),
    '20261209T0100-alert-rules': alertRules(engine),
    '20261209T0200-notification-outbox': notificationOutbox(engine),
    '20261209T0410-notification-settings': projectNotificationSettings(engine),
    '20261209T0500-alert-rule-fires': alertRuleFires(engine),
    '20261210T0900-event-users': eventUsers(),
    '20261211T1000-monitors': monitors(engine),
    '20261212T0900-session-health': sessionHealth(),
    '20261213T0900-last-release-seen': lastReleaseSeen(),
    '20261213T1000-logs': logs(engine),
    '20261213T1100-retention': retention(engine),
    '20261213T1200-outcomes': outcomes(),
    '20261214T0900-events-trace': eventsTrace(),
    '20261214T1000-span-segments': spanSegments(engine),
  };
}

export interface MigrationReport {
  readonly store: 'control' | 'region';
  readonly results: readonly MigrationResult[];
}

export class MigrationFailed extends Error {
  constructor(
    readonly reports: readonly MigrationReport[],
    cause: unknown,
  ) {
    super(`migration failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

async function run(
  db: Kysely<any>,
  store: 'control' | 'region',
  migrations: Record<string, Migration>,
  schema: string | undefined,
): Promise<MigrationReport> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: `errata_${store}_migrations`,
    migrationLockTableName: `errata_${store}_migrations_lock`,
    // Without a schema Kysely takes a same-named table in ANY schema as its own, so a second
    // Errata schema in one PostgreSQL database would never get its migration tables.
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  const report = { store, results: results ?? [] };
  if (error) throw new MigrationFailed([report], error);
  return report;
}

/** Where one store's migrations stand: applied, known but not applied, applied but not known. */
export interface MigrationStatus {
  readonly store: 'control' | 'region';
  readonly applied: readonly string[];
  /** Migrations of this version the database has not had yet, in order. */
  readonly pending: readonly string[];
  /** Migrations the database has had that this version does not know: a newer version applied them. */
  readonly unknown: readonly string[];
}

/**
 * The database was migrated by a newer Errata than this one: its schema may hold what this
 * version would misread or break, so it neither migrates nor starts.
 */
export class UnknownMigrations extends Error {
  constructor(readonly statuses: readonly MigrationStatus[]) {
    const named = statuses.flatMap((s) => s.unknown.map((name) => `${s.store}: ${name}`));
    super(
      `the database has migrations this version of Errata does not know (${named.join(', ')}): a newer version applied them. ` +
        'Run that version (or a newer one), or restore a backup taken before the upgrade.',
    );
  }
}

async function appliedMigrations(db: Kysely<any>, engine: Engine, table: string): Promise<string[]> {
  const exists =
    engine === 'postgres'
      ? (await sql<{ found: string | null }>`select to_regclass(${table})::text as found`.execute(db)).rows[0]
          ?.found
      : (
          await sql<{
            found: string;
          }>`select name as found from sqlite_master where type = 'table' and name = ${table}`.execute(db)
        ).rows[0]?.found;
  if (!exists) return [];
  const rows = await sql<{ name: string }>`select name from ${sql.table(table)} order by name`.execute(db);
  return rows.rows.map((r) => r.name);
}

/**
 * Compares each store's migration table with the migrations this version knows, changing nothing
 * (a database without migration tables has had none). For `errata migrate --check` and the check
 * that refuses a database from a newer version.
 */
export async function migrationStatus(db: Database): Promise<MigrationStatus[]> {
  const stores = [
    {
      store: 'control',
      kysely: db.control,
      engine: db.controlEngine,
      known: controlMigrations(db.controlEngine),
    },
    { store: 'region', kysely: db.region, engine: db.engine, known: regionMigrations(db.engine) },
  ] as const;
  const statuses: MigrationStatus[] = [];
  for (const { store, kysely, engine, known } of stores) {
    const applied = await appliedMigrations(kysely, engine, `errata_${store}_migrations`);
    const done = new Set(applied);
    const names = Object.keys(known);
    statuses.push({
      store,
      applied,
      pending: names.filter((name) => !done.has(name)),
      unknown: applied.filter((name) => !(name in known)),
    });
  }
  return statuses;
}

function isBusy(error: unknown): boolean {
  const cause = error instanceof MigrationFailed ? error.cause : error;
  return (cause as { code?: string } | undefined)?.code?.startsWith('SQLITE_BUSY') === true;
}

async function schemaOf(db: Kysely<any>, engine: Engine): Promise<string | undefined> {
  if (engine !== 'postgres') return undefined;
  return (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema;
}

/**
 * Brings the control store and the region store up to date: the control set on the control
 * database, the region set on the region's (one database on a one-region install). On PostgreSQL,
 * Kysely holds an advisory lock for the whole run, so nodes starting together migrate once; on
 * SQLite a second process that finds the file busy waits and tries again. A database with
 * migrations this version does not know (a newer version's) is refused with UnknownMigrations.
 */
export async function migrateToLatest(db: Database): Promise<MigrationReport[]> {
  const statuses = await migrationStatus(db);
  if (statuses.some((s) => s.unknown.length > 0)) throw new UnknownMigrations(statuses);
  const controlSchema = await schemaOf(db.control, db.controlEngine);
  const regionSchema = db.separateControl ? await schemaOf(db.region, db.engine) : controlSchema;
  for (let attempt = 0; ; attempt++) {
    try {
      return [
        await run(db.control, 'control', controlMigrations(db.controlEngine), controlSchema),
        await run(db.region, 'region', regionMigrations(db.engine), regionSchema),
      ];
    } catch (error) {
      if (!isBusy(error) || attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * (attempt + 1)));
    }
  }
}
