import type { Kysely } from 'kysely';
import { type BulkInsert, bulkInsert } from '../bulk-insert.js';
import type { Engine } from '../db.js';
import type { RegionSchema } from '../schema.js';

type Db = Kysely<RegionSchema>;

/** Who a user key of a project stands for; a field the SDK never sent is null. */
export interface EventUser {
  readonly projectId: number;
  readonly userKey: string;
  readonly userId: string | null;
  readonly email: string | null;
  readonly username: string | null;
  readonly ipAddress: string | null;
  readonly name: string | null;
}

/** A user as an event of `timestamp` describes it. */
export interface SeenEventUser extends EventUser {
  readonly timestamp: number;
}

const FIELDS = ['user_id', 'email', 'username', 'ip_address', 'name'] as const;
/** How stale a row's last_seen may grow before an event writes it again. */
export const EVENT_USER_SEEN_SLACK_MS = 86_400_000;

// A field only moves to a newer non-empty value, and a row is written only when one does: most
// events repeat what their user's row says already, and an unchanged row costs no write. Last seen
// is kept to the day, for retention: a newer time alone writes the row at most once a day.
const UPSERT_EVENT_USERS: BulkInsert = {
  table: 'event_users',
  columns: ['project_id', 'user_key', ...FIELDS, 'last_seen'],
  tail: `on conflict (project_id, user_key) do update set ${FIELDS.map(
    (f) => `${f} = coalesce(excluded.${f}, event_users.${f})`,
  ).join(
    ', ',
  )}, last_seen = case when excluded.last_seen > coalesce(event_users.last_seen, 0) then excluded.last_seen else event_users.last_seen end
  where ${FIELDS.map(
    (f) => `(excluded.${f} is not null and excluded.${f} is distinct from event_users.${f})`,
  ).join(' or ')} or excluded.last_seen > coalesce(event_users.last_seen, 0) + ${EVENT_USER_SEEN_SLACK_MS}`,
  maxRows: 200,
};

/** Records what a batch's events said about their users; the last event of a key wins. */
export async function upsertEventUsers(
  db: Db,
  engine: Engine,
  users: readonly SeenEventUser[],
): Promise<void> {
  // One row per key: an upsert may not touch the same row twice in one statement.
  const byKey = new Map<string, SeenEventUser>();
  for (const u of users) {
    const known = byKey.get(`${u.projectId}\u0000${u.userKey}`);
    byKey.set(`${u.projectId}\u0000${u.userKey}`, {
      ...u,
      userId: u.userId ?? known?.userId ?? null,
      email: u.email ?? known?.email ?? null,
      username: u.username ?? known?.username ?? null,
      ipAddress: u.ipAddress ?? known?.ipAddress ?? null,
      name: u.name ?? known?.name ?? null,
      timestamp: Math.max(u.timestamp, known?.timestamp ?? 0),
    });
  }
  const rows = [...byKey.values()].map((u) => [
    u.projectId,
    u.userKey,
    u.userId,
    u.email,
    u.username,
    u.ipAddress,
    u.name,
    u.timestamp,
  ]);
  await bulkInsert(db, engine, UPSERT_EVENT_USERS, rows);
}

/** The users of these keys in a project (or any of several), by key. */
export async function findEventUsers(
  db: Db,
  projectIds: number | readonly number[],
  keys: readonly string[],
): Promise<Map<string, EventUser>> {
  const out = new Map<string, EventUser>();
  const projects = typeof projectIds === 'number' ? [projectIds] : [...projectIds];
  if (keys.length === 0 || projects.length === 0) return out;
  const rows = await db
    .selectFrom('event_users')
    .selectAll()
    .where('project_id', 'in', projects)
    .where('user_key', 'in', [...new Set(keys)])
    .execute();
  for (const r of rows) {
    out.set(r.user_key, {
      projectId: r.project_id,
      userKey: r.user_key,
      userId: r.user_id,
      email: r.email,
      username: r.username,
      ipAddress: r.ip_address,
      name: r.name,
    });
  }
  return out;
}

/** The column of event_users a `user.<field>:` search term compares. */
export const USER_FIELD_COLUMN = {
  id: 'user_id',
  email: 'email',
  username: 'username',
  ip: 'ip_address',
} as const;
