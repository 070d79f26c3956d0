// Times the issue list's first page (and a deep page) on 10,000 issues (7,000 in one project of
// four) in a SQLite file, or on PostgreSQL with `--postgres=<url>` (in a throwaway schema).
// Run: npx tsx bench/issue-search.ts [--postgres=postgres://postgres@127.0.0.1:5432/test]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { parseIssueQuery, parseTimeWindow } from '../src/protocol/issue-query.js';
import { type Database, openDatabase } from '../src/store/db.js';
import { migrateToLatest } from '../src/store/migrate.js';
import {
  countIssues,
  type IssueSearch,
  type IssueSort,
  searchIssues,
} from '../src/store/region/issue-search.js';
import { insertOrganization } from '../src/store/region/organizations.js';
import { insertProject } from '../src/store/region/projects.js';

const ISSUES = 10_000;
const RUNS = 50;
const LIMIT = 25;
const NOW = Date.UTC(2026, 10, 28, 12);
const MINUTE = 60_000;

/** mulberry32: a small deterministic generator, so that every run measures the same data. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

async function open(): Promise<{ db: Database; done: () => Promise<void>; where: string }> {
  const url = process.argv.find((a) => a.startsWith('--postgres='))?.slice('--postgres='.length);
  if (!url) {
    const dir = mkdtempSync(path.join(tmpdir(), 'errata-bench-'));
    const file = path.join(dir, 'errata.sqlite');
    const db = openDatabase({ engine: 'sqlite', file });
    const done = async () => {
      await db.destroy();
      rmSync(dir, { recursive: true });
    };
    return { db, where: file, done };
  }
  const schema = `errata_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const db = openDatabase({ engine: 'postgres', url, schema });
  return {
    db,
    where: `${url} (schema ${schema})`,
    done: async () => {
      await db.destroy();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
}

/** Seeds 10,000 issues, 70% of them in the first project; returns the project ids. */
async function seed(db: Database): Promise<number[]> {
  const region = db.region;
  await insertOrganization(region, { id: 1, slug: 'bench', name: 'Bench', now: NOW });
  const projects: number[] = [];
  for (const slug of ['web', 'api', 'worker', 'mobile']) {
    const project = await insertProject(region, {
      organizationId: 1,
      slug,
      name: slug,
      platform: 'node',
      now: NOW,
    });
    projects.push(project.id);
  }
  const rnd = random(42);
  const pick = <T>(items: readonly T[]) => items[Math.floor(rnd() * items.length)] as T;
  const browsers = [
    'Chrome',
    'Firefox',
    'Safari',
    'Mobile Safari',
    'Edge',
    'Opera',
    'Samsung Internet',
    'Chrome Mobile',
  ];
  const levels = ['error', 'error', 'error', 'error', 'warning', 'warning', 'fatal', 'info', 'info', 'error'];
  for (let start = 0; start < ISSUES; start += 500) {
    await region.transaction().execute(async (trx) => {
      for (let i = start; i < start + 500; i++) {
        // Last seen over 90 days, to the minute (ties); first seen up to 30 days before.
        const lastSeen = NOW - Math.floor(rnd() ** 2 * 90 * 24 * 60) * MINUTE;
        const firstSeen = lastSeen - Math.floor(rnd() * 30 * 24 * 60) * MINUTE;
        // Heavy-tailed counts: most issues seen a few times, a few over a thousand (~1.5M events in all).
        const timesSeen = Math.floor(Math.exp(rnd() * 7));
        const r = rnd();
        const status = r < 0.6 ? 'unresolved' : r < 0.85 ? 'resolved' : 'ignored';
        const { id } = await trx
          .insertInto('issues')
          .values({
            project_id: i % 10 < 7 ? (projects[0] as number) : (projects[(i % 10) - 6] as number),
            short_id: i + 1,
            type: 'error',
            title: `${pick(['TypeError', 'ValueError', 'KeyError', 'RangeError'])}: failure ${i} in ${pick(['checkout', 'search', 'login', 'cart'])}`,
            culprit: `app/module${i % 300}.js in handle${i % 17}`,
            metadata: JSON.stringify({ value: `failure ${i}`, type: 'TypeError' }),
            level: pick(levels),
            platform: 'node',
            logger: null,
            status,
            substatus: status === 'unresolved' ? pick(['new', 'ongoing', 'regressed', 'escalating']) : null,
            first_seen: firstSeen,
            last_seen: lastSeen,
            times_seen: timesSeen,
            user_count: Math.floor(timesSeen * rnd()),
            first_release: `1.${i % 50}.0`,
            last_release: `1.${i % 50}.0`,
            resolved_at: null,
            ignore_until: null,
            ignore_count: null,
            ignore_count_base: null,
            ignore_user_count: null,
            ignore_user_base: null,
            assignee_user_id: rnd() < 0.1 ? 1 + Math.floor(rnd() * 20) : null,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        const tags = new Map<string, string>();
        tags.set('environment\0production', 'production');
        if (rnd() < 0.3) tags.set('environment\0staging', 'staging');
        for (let k = 0; k < 1 + Math.floor(rnd() * 3); k++) {
          const release = `1.${(i + k) % 50}.0`;
          tags.set(`release\0${release}`, release);
        }
        for (let k = 0; k < 1 + Math.floor(rnd() * 3); k++) {
          const browser = pick(browsers);
          tags.set(`browser\0${browser}`, browser);
        }
        for (let k = 0; k < 1 + Math.floor(rnd() * 3); k++) {
          const server = `web-${Math.floor(rnd() * 40)}`;
          tags.set(`server\0${server}`, server);
        }
        tags.set('handled\0no', 'no');
        await trx
          .insertInto('issue_tags')
          .values(
            [...tags].map(([k, value]) => ({
              issue_id: id,
              key: k.split('\0')[0] as string,
              value,
              times_seen: 1,
              first_seen: firstSeen,
              last_seen: lastSeen,
            })),
          )
          .execute();
      }
    });
  }
  return projects;
}

async function median(run: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 3; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

async function main() {
  const { db, done, where } = await open();
  try {
    await migrateToLatest(db);
    const seedStart = performance.now();
    const projectIds = await seed(db);
    const tagRows = await db.region
      .selectFrom('issue_tags')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const events = await db.region
      .selectFrom('issues')
      .select((eb) => eb.fn.sum<number>('times_seen').as('n'))
      .executeTakeFirstOrThrow();
    console.log(
      `${db.engine}: ${ISSUES} issues (${Number(events.n)} events counted), ${tagRows.n} issue_tags rows, ` +
        `seeded in ${Math.round(performance.now() - seedStart)} ms (${where})`,
    );
    // PostgreSQL's autovacuum would have analyzed a table this size; SQLite is left as Errata leaves it.
    if (db.engine === 'postgres') await sql`analyze`.execute(db.region);

    const search = (query: string, extra: Partial<IssueSearch> = {}): IssueSearch => ({
      projectIds: projectIds.slice(0, 1),
      query: parseIssueQuery(query, NOW),
      limit: LIMIT,
      viewerUserId: 3,
      ...extra,
    });
    const cases: [string, IssueSearch][] = [];
    for (const sort of ['date', 'new', 'freq', 'user'] as IssueSort[]) {
      cases.push([`sort=${sort} query=""`, search('', { sort })]);
      cases.push([`sort=${sort} query="is:unresolved"`, search('is:unresolved', { sort })]);
    }
    cases.push(['"is:unresolved level:error"', search('is:unresolved level:error')]);
    cases.push(['"is:unresolved browser:Firefox"', search('is:unresolved browser:Firefox')]);
    cases.push([
      '"server:web-7 !browser:Chrome" sort=freq',
      search('server:web-7 !browser:Chrome', { sort: 'freq' }),
    ]);
    cases.push(['"release:1.7.0" (rare tag)', search('release:1.7.0')]);
    cases.push(['"is:unresolved assigned:me"', search('is:unresolved assigned:me')]);
    cases.push(['"is:unresolved firstSeen:-24h"', search('is:unresolved firstSeen:-24h')]);
    cases.push([
      '"is:unresolved times_seen:>100" sort=freq',
      search('is:unresolved times_seen:>100', { sort: 'freq' }),
    ]);
    cases.push(['"checkout" (free text)', search('checkout')]);
    cases.push([
      'environment=staging statsPeriod=24h',
      search('is:unresolved', {
        environments: ['staging'],
        window: parseTimeWindow({ statsPeriod: '24h' }, NOW),
      }),
    ]);
    cases.push(['"zzz" (free text, no match: a full scan)', search('zzz')]);
    cases.push([
      '"server:web-7 browser:Opera release:1.7.0" (~1)',
      search('server:web-7 browser:Opera release:1.7.0'),
    ]);
    cases.push(['"is:ignored level:fatal" sort=user', search('is:ignored level:fatal', { sort: 'user' })]);
    cases.push(['all 4 projects, "is:unresolved"', search('is:unresolved', { projectIds })]);
    cases.push(['all 4 projects, "" sort=freq', search('', { projectIds, sort: 'freq' })]);
    cases.push([
      'all 4 projects, "is:unresolved browser:Firefox"',
      search('is:unresolved browser:Firefox', { projectIds }),
    ]);
    cases.push([
      'statsPeriod=14d',
      search('is:unresolved', { window: parseTimeWindow({ statsPeriod: '14d' }, NOW) }),
    ]);

    console.log(`median of ${RUNS} runs, first page of ${LIMIT}:`);
    for (const [name, s] of cases) {
      const ms = await median(() => searchIssues(db.region, s));
      const page = await searchIssues(db.region, s);
      console.log(`  ${name.padEnd(52)} ${ms.toFixed(2).padStart(7)} ms  (${page.issues.length} issues)`);
    }

    // Page 40 through seek: the cost does not grow with depth.
    let cursor: string | null = null;
    const deep = search('is:unresolved', { sort: 'freq' });
    for (let i = 0; i < 39; i++) cursor = (await searchIssues(db.region, { ...deep, cursor })).nextCursor;
    const deepMs = await median(() => searchIssues(db.region, { ...deep, cursor }));
    console.log(`  ${'page 40, sort=freq "is:unresolved"'.padEnd(52)} ${deepMs.toFixed(2).padStart(7)} ms`);
    for (const query of ['is:unresolved', 'is:unresolved browser:Firefox']) {
      const ms = await median(() => countIssues(db.region, search(query)));
      const n = await countIssues(db.region, search(query));
      console.log(
        `  ${`countIssues "${query}" (max 1000)`.padEnd(52)} ${ms.toFixed(2).padStart(7)} ms  (${n})`,
      );
    }
  } finally {
    await done();
  }
}

await main();
