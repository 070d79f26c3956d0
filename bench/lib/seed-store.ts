import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import type { Insertable } from 'kysely';
import type { EventTable, IssueTable } from '../../src/store/schema.js';
import { CACHE_DIR } from './cache-dir.js';
import { type ErrataBuild, ROOT, startErrata } from './errata.js';
import { seededRandom, zipf } from './random.js';
import {
  documentTemplate,
  eventRow,
  issueHash,
  issueRow,
  RELEASES,
  SERVERS,
  type SeedIssue,
  seedIssue,
} from './seed-documents.js';

/** Bump when the seeded rows change, so cached stores are rebuilt. */
const SEED_VERSION = 1;
/** Events are spread over the last two weeks. */
const SPAN_MS = 14 * 86_400_000;
/** Event ids the REST scenario asks for, spread over the store. */
const SAMPLE_EVENT_IDS = 2000;

/** A store of `events` events in `issues` issues under `dataDir`, with a token that reads it. */
export interface SeededStore {
  readonly version: number;
  readonly dataDir: string;
  readonly events: number;
  readonly issues: number;
  readonly token: string;
  readonly org: string;
  readonly project: string;
  readonly sampleEventIds: readonly string[];
  /** Bytes of the SQLite file. */
  readonly fileBytes: number;
  /** Seconds seeding took; null when a cached store was reused. */
  readonly seededInS: number | null;
}

function columns<T>(row: T): (keyof T)[] {
  return Object.keys(row as object) as (keyof T)[];
}

function insertStatement<T>(db: SQLite.Database, table: string, sample: T) {
  const names = columns(sample);
  const statement = db.prepare(
    `insert into ${table} (${names.join(', ')}) values (${names.map(() => '?').join(', ')})`,
  );
  return (row: T) => statement.run(...names.map((name) => row[name] as unknown));
}

function hexId(random: () => number): string {
  let id = '';
  for (let i = 0; i < 4; i++)
    id += Math.floor(random() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return id;
}

/** Rows straight into the SQLite file (the server is stopped): issues, their hashes and tags, events. */
function seedRows(file: string, events: number, issues: number, log: (line: string) => void): string[] {
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const project = db.prepare('select id from projects order by id limit 1').get() as { id: number };
  const random = seededRandom(42);
  const pick = zipf(issues, 1.0, random);
  const owner = new Int32Array(events);
  const stats = Array.from({ length: issues }, () => ({ first: 0, last: 0, count: 0 }));
  const start = Date.now() - SPAN_MS;
  const timeOf = (i: number) => start + Math.floor((i * SPAN_MS) / events);
  for (let i = 0; i < events; i++) {
    // Ranks are scattered over issue indexes, so hot issues are not all of one status or platform.
    const issue = (pick() * 7919) % issues;
    owner[i] = issue;
    const s = stats[issue] as { first: number; last: number; count: number };
    if (s.count === 0) s.first = timeOf(i);
    s.last = timeOf(i);
    s.count++;
  }
  const shapes: SeedIssue[] = [];
  const templates: string[] = [];
  const issueIds = new Int32Array(issues);
  const insertIssue = insertStatement<Insertable<IssueTable>>(
    db,
    'issues',
    issueRow(seedIssue(0), project.id, { first: 0, last: 0, count: 1 }),
  );
  const insertHash = db.prepare(
    'insert into group_hashes (project_id, hash, mechanism, issue_id) values (?, ?, ?, ?)',
  );
  const insertTag = db.prepare(
    'insert into issue_tags (issue_id, key, value, times_seen, first_seen, last_seen) values (?, ?, ?, ?, ?, ?)',
  );
  db.transaction(() => {
    for (let index = 0; index < issues; index++) {
      const issue = seedIssue(index);
      const s = stats[index] as { first: number; last: number; count: number };
      if (s.count === 0) Object.assign(s, { first: start, last: start, count: 1 });
      const id = Number(insertIssue(issueRow(issue, project.id, s)).lastInsertRowid);
      issueIds[index] = id;
      shapes.push(issue);
      templates.push(documentTemplate(issue));
      insertHash.run(project.id, issueHash(index), 'errata:2026-11', id);
      const tags: [string, string, number][] = [
        ['level', issue.level, s.count],
        ['environment', 'production', Math.ceil(s.count * 0.9)],
        ['environment', 'staging', Math.floor(s.count * 0.1)],
        ...RELEASES.map((r, i): [string, string, number] => [
          'release',
          r,
          Math.floor(s.count / 3) + (i === 0 ? s.count % 3 : 0),
        ]),
        ...SERVERS.map((v, i): [string, string, number] => [
          'server_name',
          v,
          Math.floor(s.count / 4) + (i === 0 ? s.count % 4 : 0),
        ]),
      ];
      for (const [key, value, n] of tags) if (n > 0) insertTag.run(id, key, value, n, s.first, s.last);
    }
    db.prepare('update project_counters set next_short_id = ? where project_id = ?').run(issues, project.id);
    db.prepare('update projects set first_event = ? where id = ?').run(start, project.id);
  })();
  log(`seeded ${issues} issues`);
  const sampleEvery = Math.max(1, Math.floor(events / SAMPLE_EVENT_IDS));
  const sample: string[] = [];
  const insertEvent = insertStatement<Insertable<EventTable>>(
    db,
    'events',
    eventRow(shapes[0] as SeedIssue, templates[0] as string, project.id, 1, 'x', 0),
  );
  const chunk = 50_000;
  for (let from = 0; from < events; from += chunk) {
    db.transaction(() => {
      for (let i = from; i < Math.min(events, from + chunk); i++) {
        const index = owner[i] as number;
        const eventId = hexId(random);
        if (i % sampleEvery === 0) sample.push(eventId);
        insertEvent(
          eventRow(
            shapes[index] as SeedIssue,
            templates[index] as string,
            project.id,
            issueIds[index] as number,
            eventId,
            timeOf(i),
          ),
        );
      }
    })();
    if ((from / chunk) % 4 === 3) log(`seeded ${Math.min(events, from + chunk)} of ${events} events`);
  }
  // No ANALYZE: Errata never runs it, so a store it built has no statistics either.
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return sample;
}

/**
 * The REST scenario's store, from bench/.cache/ when a store of the same size and seed version is
 * there, else built: the real `errata serve` creates and migrates it on first start (owner,
 * organization, project, token), then rows go straight into the file.
 */
export async function seededStore(
  build: ErrataBuild,
  size: { events: number; issues: number },
  log: (line: string) => void,
): Promise<SeededStore> {
  const dir = path.join(CACHE_DIR, `rest-${size.events}-${size.issues}`);
  const metaFile = path.join(dir, 'store.meta');
  if (existsSync(metaFile)) {
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as SeededStore;
    if (meta.version === SEED_VERSION) return { ...meta, seededInS: null };
  }
  const started = performance.now();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const dataDir = path.join(dir, 'data');
  const node = await startErrata({ build, name: 'errata (seed)', dataDir });
  await node.child.stop();
  if (!node.firstStart) throw new Error(`errata serve printed no first-start token:\n${node.child.output()}`);
  const file = path.join(dataDir, 'errata.sqlite');
  log(`seeding ${size.events} events in ${size.issues} issues into ${path.relative(ROOT, file)}`);
  const sampleEventIds = seedRows(file, size.events, size.issues, log);
  const store: SeededStore = {
    version: SEED_VERSION,
    dataDir,
    events: size.events,
    issues: size.issues,
    token: node.firstStart.token,
    org: node.firstStart.org,
    project: node.firstStart.project,
    sampleEventIds,
    fileBytes: statSync(file).size,
    seededInS: null,
  };
  writeFileSync(metaFile, `${JSON.stringify(store)}\n`);
  return { ...store, seededInS: (performance.now() - started) / 1000 };
}
