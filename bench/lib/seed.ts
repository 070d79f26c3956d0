import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import type { Insertable } from 'kysely';
import type { EventTable, IssueTable } from '../../src/store/schema.js';
import { zipf } from './payloads.js';
import { firstStart, ROOT, startErrata } from './processes.js';

/** In the cached store's directory name: bump it when the seeded rows change. */
const SEED_VERSION = 3;
/** Events spread over the last two weeks. */
const SPAN_MS = 14 * 86_400_000;
const TYPES = ['TypeError', 'ValueError', 'KeyError', 'RangeError', 'ConnectionError', 'TimeoutError'];
const RELEASES = ['shop-api@3.14.0', 'shop-api@3.14.1', 'shop-api@3.14.2'];

type SeededStore = { token: string; org: string; project: string; sampleEventIds: string[]; dataDir: string };

/** Issue `i`: one of a few error types; 70 % unresolved, 20 % resolved, 10 % ignored; 80 % level error. */
function shape(i: number) {
  const type = TYPES[i % TYPES.length] as string;
  const value = `handler${i}: cannot apply tax rule to order`;
  const bucket = (i * 7) % 10;
  return {
    type,
    value,
    title: `${type}: ${value}`,
    culprit: `handler${i}_step20(shop/orders/handler${i}.js)`,
    level: (i * 3) % 10 < 8 ? 'error' : (i * 3) % 10 === 8 ? 'warning' : 'fatal',
    platform: i % 2 === 0 ? 'node' : 'python',
    status: bucket < 7 ? 'unresolved' : bucket < 9 ? 'resolved' : 'ignored',
    release: RELEASES[i % RELEASES.length] as string,
  };
}

const tags = (s: ReturnType<typeof shape>) => [
  ['level', s.level],
  ['environment', 'production'],
  ['release', s.release],
];

/**
 * The stored document of an event of issue `i`, about 3 KB, with placeholders for id and time. The
 * SDK payloads are 25 KB, mostly source context and local variables; those are left out so that a
 * million events fit in a few GB.
 */
function document(i: number): string {
  const s = shape(i);
  const frame = (f: number) => ({ function: `handler${i}_step${f}`, lineno: 40 + f, in_app: true });
  const frames = Array.from({ length: 20 }, (_, f) => frame(f));
  return JSON.stringify({
    event_id: '__ID__',
    timestamp: '__TS__',
    level: s.level,
    platform: s.platform,
    exception: { values: [{ type: s.type, value: s.value, stacktrace: { frames } }] },
    breadcrumbs: { values: [{ category: 'http', message: 'POST /api/coupons/apply', timestamp: '__TS__' }] },
    contexts: { runtime: { name: 'node', version: 'v20.20.2' }, os: { name: 'Debian', version: '12.11' } },
    user: { id: 'user-1042', email: 'grace@example.com' },
    tags: tags(s),
    environment: 'production',
    release: s.release,
    title: s.title,
    culprit: s.culprit,
    metadata: { type: s.type, value: s.value },
  }).replaceAll('"__TS__"', '__TS__');
}

function inserter<T extends object>(db: SQLite.Database, table: string, sample: T) {
  const names = Object.keys(sample) as (keyof T)[];
  const statement = db.prepare(
    `insert into ${table} (${names.join(', ')}) values (${names.map(() => '?').join(', ')})`,
  );
  return (row: T) => statement.run(...names.map((name) => row[name]));
}

/**
 * Issues and events straight into a stopped server's file, then what digest keeps beside them for
 * the issue page: a grouping hash per issue, tag counts, the issues' users and what each user is.
 */
function seedRows(file: string, events: number, issues: number, log: (line: string) => void): string[] {
  const db = new SQLite(file);
  db.pragma('synchronous = OFF');
  const project = (db.prepare('select id from projects order by id limit 1').get() as { id: number }).id;
  const start = Date.now() - SPAN_MS;
  const timeOf = (e: number) => start + Math.floor((e * SPAN_MS) / events);
  const issueRow = (i: number): Insertable<IssueTable> => {
    const s = shape(i);
    return {
      project_id: project,
      short_id: i + 1,
      type: 'error',
      title: s.title,
      culprit: s.culprit,
      metadata: JSON.stringify({ title: s.title, type: s.type, value: s.value }),
      level: s.level,
      platform: s.platform,
      status: s.status,
      substatus: s.status === 'unresolved' ? 'ongoing' : null,
      first_seen: start,
      last_seen: start,
      times_seen: 0,
      user_count: 0,
      first_release: RELEASES[0] as string,
      last_release: s.release,
    };
  };
  const insertIssue = inserter(db, 'issues', issueRow(0));
  const ids = db.transaction(() =>
    Array.from({ length: issues }, (_, i) => insertIssue(issueRow(i)).lastInsertRowid),
  )();
  const documents = Array.from({ length: issues }, (_, i) => document(i));
  const pick = zipf(issues, 1.0);
  const eventRow = (e: number, eventId: string): Insertable<EventTable> => {
    // Ranks scattered over issue indexes, so the hot issues are not all of one status or platform.
    const i = (pick() * 7919) % issues;
    const s = shape(i);
    const time = timeOf(e);
    return {
      project_id: project,
      issue_id: Number(ids[i]),
      event_id: eventId,
      type: 'error',
      timestamp: time,
      received_at: time + 40,
      level: s.level,
      title: s.title,
      message: s.value,
      culprit: s.culprit,
      release: s.release,
      environment: 'production',
      platform: s.platform,
      user_key: `id:user-${e % 997}`,
      tags: JSON.stringify(tags(s)),
      data: (documents[i] as string).replace('__ID__', eventId).replaceAll('__TS__', `${time / 1000}`),
    };
  };
  const insertEvent = inserter(db, 'events', eventRow(0, ''));
  const sample: string[] = [];
  for (let from = 0; from < events; from += 100_000) {
    db.transaction(() => {
      for (let e = from; e < Math.min(events, from + 100_000); e++) {
        const eventId = randomBytes(16).toString('hex');
        if (e % Math.ceil(events / 2000) === 0) sample.push(eventId);
        insertEvent(eventRow(e, eventId));
      }
    })();
    log(`  seeded ${Math.min(events, from + 100_000)} of ${events} events`);
  }
  db.exec(`update issues set times_seen = n, first_seen = f, last_seen = l,
      resolved_at = case status when 'resolved' then l end
    from (select issue_id, count(*) as n, min(timestamp) as f, max(timestamp) as l from events group by issue_id)
    where issue_id = issues.id`);
  seedIssueSideRows(db, project);
  log('  seeded hashes, tag counts and users');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return sample;
}

/** What digest would have written for the seeded events: hashes, tag counts, users. */
function seedIssueSideRows(db: SQLite.Database, project: number): void {
  db.transaction(() => {
    db.exec(`insert into group_hashes (project_id, hash, mechanism, issue_id)
      select project_id, printf('%032x', id), 'errata:2026-11', id from issues`);
    for (const [key, column] of [
      ['level', 'level'],
      ['environment', 'environment'],
      ['release', 'release'],
      ['user', 'user_key'],
    ]) {
      db.exec(`insert into issue_tags (issue_id, key, value, times_seen, first_seen, last_seen)
        select issue_id, '${key}', ${column}, count(*), min(timestamp), max(timestamp)
        from events group by issue_id, ${column}`);
    }
    db.exec('insert into issue_users (issue_id, user_key) select distinct issue_id, user_key from events');
    db.exec(`update issues set user_count = n
      from (select issue_id, count(*) as n from issue_users group by issue_id) where issue_id = issues.id`);
    db.prepare(`insert into event_users (project_id, user_key, user_id, email, username, ip_address, name)
      select distinct ?, user_key, substr(user_key, 4), 'grace@example.com', null, null, null from events`).run(
      project,
    );
  })();
}

/**
 * A store of `events` events in `issues` issues, kept in bench/.cache/ for later runs: `errata
 * serve` creates and migrates it on a first start (owner, project, token), then rows go straight
 * into the file. No ANALYZE: Errata never runs it, so a store it built has no statistics either.
 */
export async function seededStore(events: number, issues: number, log: (line: string) => void) {
  const dir = path.join(ROOT, 'bench/.cache', `rest-v${SEED_VERSION}-${events}-${issues}`);
  const dataDir = path.join(dir, 'data');
  const meta = path.join(dir, 'store.json');
  if (existsSync(meta)) return { ...(JSON.parse(readFileSync(meta, 'utf8')) as SeededStore), dataDir };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const node = await startErrata({ name: 'seed', dataDir });
  await node.child.stop();
  const { token, org, project } = firstStart(node);
  log(`  seeding ${events} events in ${issues} issues into ${path.relative(ROOT, dataDir)}`);
  const sampleEventIds = seedRows(path.join(dataDir, 'errata.sqlite'), events, issues, log);
  writeFileSync(meta, JSON.stringify({ token, org, project, sampleEventIds }));
  return { token, org, project, sampleEventIds, dataDir };
}
