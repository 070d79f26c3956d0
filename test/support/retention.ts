// Events spread over a stretch of time, written through digest's own batch writes (issues,
// counters, tag values, users) without HTTP or parsing, so that a test or a benchmark can store
// a hundred thousand of them in seconds.
import type { Kysely } from 'kysely';
import { expect } from 'vitest';
import { regionAlertStore } from '../../src/digest/alert-store.js';
import type { GroupedEvent } from '../../src/digest/group-event.js';
import { writeEvents } from '../../src/digest/write-events.js';
import type { Engine } from '../../src/store/db.js';
import type { RegionSchema } from '../../src/store/schema.js';
import { newEventId } from './envelopes.js';

export const DAY_MS = 86_400_000;

/** Which issue and user an event of the seed belongs to, and its tags, by its index and day. */
export interface SeededEvent {
  readonly index: number;
  readonly eventId: string;
  readonly timestamp: number;
  readonly issue: string;
  readonly userKey: string;
  readonly tags: readonly (readonly [string, string])[];
}

/**
 * The default shape: half the events go to eight issues that live the whole stretch, with a user
 * of their day (so old users leave them); the other half to an issue of their five-day window
 * (so old windows' issues lose every event), with one of seven users.
 */
export function spreadEvent(index: number, timestamp: number, from: number): Omit<SeededEvent, 'eventId'> {
  const day = Math.floor((timestamp - from) / DAY_MS);
  const long = index % 2 === 0;
  const issue = long ? `long-${(index >> 1) % 8}` : `window-${Math.floor(day / 5)}`;
  const userKey = long ? `id:day-${day}` : `id:user-${index % 7}`;
  const tags: [string, string][] = [
    ['environment', 'production'],
    ['level', 'error'],
    ['release', `web@1.${Math.floor(day / 10)}.0`],
    ['user', userKey],
  ];
  return { index, timestamp, issue, userKey, tags };
}

export interface SeedOptions {
  readonly projectId: number;
  readonly count: number;
  /** The stretch the events' timestamps spread evenly over, [from, to). */
  readonly from: number;
  readonly to: number;
  /** The stored document of an event; default a small error document. */
  readonly document?: (event: SeededEvent) => string;
  /** Events per digest transaction. */
  readonly batchSize?: number;
  readonly shape?: (index: number, timestamp: number, from: number) => Omit<SeededEvent, 'eventId'>;
}

function defaultDocument(event: SeededEvent): string {
  return JSON.stringify({
    event_id: event.eventId,
    timestamp: event.timestamp / 1000,
    level: 'error',
    platform: 'node',
    exception: { values: [{ type: 'TypeError', value: `failed in ${event.issue}` }] },
    user: { id: event.userKey.slice(3) },
    tags: event.tags,
  });
}

function grouped(projectId: number, event: SeededEvent, data: string): GroupedEvent {
  const title = `TypeError: failed in ${event.issue}`;
  return {
    projectId,
    row: {
      eventId: event.eventId,
      type: 'error',
      timestamp: event.timestamp,
      receivedAt: event.timestamp,
      level: 'error',
      title,
      message: `failed in ${event.issue}`,
      culprit: `handler(${event.issue}.js)`,
      release: event.tags.find(([key]) => key === 'release')?.[1] ?? null,
      environment: 'production',
      platform: 'node',
      transactionName: null,
      traceId: null,
      userKey: event.userKey,
      tags: event.tags,
      data,
    },
    hashes: [`seed-${event.issue}`],
    mechanism: 'seed',
    summary: {
      type: 'error',
      title,
      culprit: `handler(${event.issue}.js)`,
      metadata: { title, type: 'TypeError', value: `failed in ${event.issue}` },
    },
    logger: null,
    user: { userId: event.userKey.slice(3), email: null, username: null, ipAddress: null, name: null },
  };
}

/** Writes `count` events through digest's batch writes, oldest first; returns what it wrote. */
export async function seedEvents(
  db: Kysely<RegionSchema>,
  engine: Engine,
  options: SeedOptions,
): Promise<SeededEvent[]> {
  const { projectId, count, from, to } = options;
  const shape = options.shape ?? spreadEvent;
  const document = options.document ?? defaultDocument;
  const batchSize = options.batchSize ?? 500;
  const alerting = { store: regionAlertStore(), baseUrl: 'http://errata.test', now: () => to };
  const seeded: SeededEvent[] = [];
  for (let at = 0; at < count; at += batchSize) {
    const batch: GroupedEvent[] = [];
    for (let index = at; index < Math.min(count, at + batchSize); index++) {
      const timestamp = from + Math.floor((index * (to - from)) / count);
      const event = { ...shape(index, timestamp, from), eventId: newEventId() };
      seeded.push(event);
      batch.push(grouped(projectId, event, document(event)));
    }
    await db.transaction().execute((trx) => writeEvents(trx, engine, batch, alerting));
  }
  return seeded;
}

/** Tallies of the tag values of some events, by `key\0value`. */
function tally(tags: readonly (readonly [string, string])[][]): Map<string, number> {
  const out = new Map<string, number>();
  for (const list of tags)
    for (const [k, v] of list) out.set(`${k}\u0000${v}`, (out.get(`${k}\u0000${v}`) ?? 0) + 1);
  return out;
}

/**
 * Every remaining issue of the project counts what its remaining events say: events, users
 * (and its user rows), tag values; no issue is left without events, and no grouping hash points
 * at an issue that is gone.
 */
export async function expectCountsFollowEvents(db: Kysely<RegionSchema>, projectId: number): Promise<void> {
  const events = await db
    .selectFrom('events')
    .select(['issue_id', 'user_key', 'tags'])
    .where('project_id', '=', projectId)
    .execute();
  const byIssue = new Map<number, typeof events>();
  for (const e of events) {
    if (e.issue_id === null) continue;
    const list = byIssue.get(e.issue_id);
    if (list) list.push(e);
    else byIssue.set(e.issue_id, [e]);
  }
  const issues = await db
    .selectFrom('issues')
    .select(['id', 'times_seen', 'user_count'])
    .where('project_id', '=', projectId)
    .execute();
  expect(issues.length).toBeGreaterThan(0);
  // A deleted issue's grouping hashes went with it: a new event of it opens a new issue.
  const ids = new Set(issues.map((i) => i.id));
  const hashes = await db
    .selectFrom('group_hashes')
    .select('issue_id')
    .where('project_id', '=', projectId)
    .execute();
  expect(hashes.filter((h) => !ids.has(h.issue_id))).toEqual([]);
  const userRows = await db
    .selectFrom('issue_users')
    .innerJoin('issues', 'issues.id', 'issue_users.issue_id')
    .select(['issue_users.issue_id', 'issue_users.user_key'])
    .where('issues.project_id', '=', projectId)
    .execute();
  const tagRows = await db
    .selectFrom('issue_tags')
    .innerJoin('issues', 'issues.id', 'issue_tags.issue_id')
    .select(['issue_tags.issue_id', 'issue_tags.key', 'issue_tags.value', 'issue_tags.times_seen'])
    .where('issues.project_id', '=', projectId)
    .execute();
  for (const issue of issues) {
    const own = byIssue.get(issue.id) ?? [];
    expect(own.length, `events of issue ${issue.id}`).toBeGreaterThan(0);
    expect(issue.times_seen).toBe(own.length);
    const users = new Set(own.map((e) => e.user_key));
    expect(issue.user_count).toBe(users.size);
    expect(new Set(userRows.filter((r) => r.issue_id === issue.id).map((r) => r.user_key))).toEqual(users);
    expect(
      new Map(
        tagRows
          .filter((r) => r.issue_id === issue.id)
          .map((r) => [`${r.key}\u0000${r.value}`, Number(r.times_seen)]),
      ),
    ).toEqual(tally(own.map((e) => JSON.parse(e.tags) as [string, string][])));
  }
}
