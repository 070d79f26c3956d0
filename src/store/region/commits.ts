import { type Kysely, sql } from 'kysely';
import type { RegionSchema } from '../schema.js';
import type {
  Commit,
  CommitAuthor,
  CommitFileChange,
  PageRequest,
  Release,
  ReleaseCommitSummary,
} from '../types.js';
import { toRelease } from './releases.js';

type Db = Kysely<RegionSchema>;

// Rows per statement: far below either engine's parameter limit.
const CHUNK = 200;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

interface CommitRow {
  id: number;
  organization_id: number;
  repository_id: number;
  key: string;
  message: string | null;
  date_created: number;
  author_id: number | null;
  author_name: string | null;
  author_email: string | null;
}

function toCommit(row: CommitRow): Commit {
  return {
    id: row.id,
    organizationId: row.organization_id,
    repositoryId: row.repository_id,
    key: row.key,
    message: row.message,
    author:
      row.author_id === null
        ? null
        : { id: row.author_id, name: row.author_name, email: row.author_email ?? '' },
    dateCreated: row.date_created,
  };
}

/** Commits with their authors; callers add conditions on `c` (commits) and joins. */
function selectCommits(db: Db) {
  return db
    .selectFrom('commits as c')
    .leftJoin('commit_authors as a', 'a.id', 'c.author_id')
    .select([
      'c.id',
      'c.organization_id',
      'c.repository_id',
      'c.key',
      'c.message',
      'c.date_created',
      'c.author_id',
      'a.name as author_name',
      'a.email as author_email',
    ]);
}

/**
 * The organization's commit authors of these emails, added when new and renamed when the name
 * differs (the last name given wins, as in Sentry).
 */
export async function upsertCommitAuthors(
  db: Db,
  organizationId: number,
  authors: readonly { email: string; name: string | null }[],
): Promise<Map<string, CommitAuthor>> {
  const byEmail = new Map(authors.map((a) => [a.email, a]));
  const out = new Map<string, CommitAuthor>();
  for (const part of chunks([...byEmail.values()])) {
    const rows = await db
      .insertInto('commit_authors')
      .values(part.map((a) => ({ organization_id: organizationId, email: a.email, name: a.name })))
      .onConflict((oc) =>
        oc.columns(['organization_id', 'email']).doUpdateSet((eb) => ({ name: eb.ref('excluded.name') })),
      )
      .returning(['id', 'email', 'name'])
      .execute();
    for (const row of rows) out.set(row.email, { id: row.id, email: row.email, name: row.name });
  }
  return out;
}

/** One commit to store: what is undefined (or a null author) leaves a stored commit's value as it is. */
export interface CommitWrite {
  readonly repositoryId: number;
  readonly key: string;
  readonly message?: string | null;
  readonly authorId: number | null;
  readonly dateCreated?: number;
  readonly files: readonly { readonly filename: string; readonly type: string }[];
}

async function findCommitIds(db: Db, repositoryId: number, keys: readonly string[]) {
  const found = new Map<
    string,
    { id: number; message: string | null; author_id: number | null; date: number }
  >();
  for (const part of chunks(keys)) {
    const rows = await db
      .selectFrom('commits')
      .select(['id', 'key', 'message', 'author_id', 'date_created'])
      .where('repository_id', '=', repositoryId)
      .where('key', 'in', part)
      .execute();
    for (const r of rows)
      found.set(r.key, { id: r.id, message: r.message, author_id: r.author_id, date: r.date_created });
  }
  return found;
}

/**
 * Adds the commits (and their changed files) that are new and updates the given fields of those
 * stored already; returns the commit ids in the order of `commits`. Files already recorded for a
 * commit are kept.
 */
export async function upsertCommits(
  db: Db,
  organizationId: number,
  commits: readonly CommitWrite[],
  now: number,
): Promise<number[]> {
  const ids = new Map<string, number>();
  const idOf = (c: CommitWrite) => ids.get(`${c.repositoryId}\u0000${c.key}`) as number;
  for (const repositoryId of new Set(commits.map((c) => c.repositoryId))) {
    const mine = commits.filter((c) => c.repositoryId === repositoryId);
    const stored = await findCommitIds(
      db,
      repositoryId,
      mine.map((c) => c.key),
    );
    const fresh = new Map(mine.filter((c) => !stored.has(c.key)).map((c) => [c.key, c]));
    for (const part of chunks([...fresh.values()])) {
      await db
        .insertInto('commits')
        .values(
          part.map((c) => ({
            organization_id: organizationId,
            repository_id: repositoryId,
            key: c.key,
            message: c.message ?? null,
            author_id: c.authorId,
            date_created: c.dateCreated ?? now,
          })),
        )
        .onConflict((oc) => oc.columns(['repository_id', 'key']).doNothing())
        .execute();
    }
    for (const c of mine) {
      const old = stored.get(c.key);
      if (!old) continue;
      const set = {
        ...(c.message === undefined || c.message === old.message ? {} : { message: c.message }),
        ...(c.authorId === null || c.authorId === old.author_id ? {} : { author_id: c.authorId }),
        ...(c.dateCreated === undefined || c.dateCreated === old.date ? {} : { date_created: c.dateCreated }),
      };
      if (Object.keys(set).length > 0)
        await db.updateTable('commits').set(set).where('id', '=', old.id).execute();
    }
    const all =
      fresh.size === 0 ? stored : await findCommitIds(db, repositoryId, [...new Set(mine.map((c) => c.key))]);
    for (const [key, row] of all) ids.set(`${repositoryId}\u0000${key}`, row.id);
  }
  const files = commits.flatMap((c) =>
    c.files.map((f) => ({ commit_id: idOf(c), filename: f.filename, type: f.type })),
  );
  for (const part of chunks(files)) {
    await db
      .insertInto('commit_file_changes')
      .values(part)
      .onConflict((oc) => oc.columns(['commit_id', 'filename']).doNothing())
      .execute();
  }
  return commits.map(idOf);
}

/**
 * Takes the release's row lock (an update that changes nothing), so that two requests setting the
 * same release's commits run one after the other on PostgreSQL too.
 */
export async function lockReleaseCommits(db: Db, releaseId: number): Promise<void> {
  await db
    .updateTable('releases')
    .set((eb) => ({ id: eb.ref('id') }))
    .where('id', '=', releaseId)
    .execute();
}

/** Makes these commits, newest first, the release's commits (a commit listed twice counts once). */
export async function replaceReleaseCommits(
  db: Db,
  releaseId: number,
  commitIds: readonly number[],
): Promise<void> {
  await db.deleteFrom('release_commits').where('release_id', '=', releaseId).execute();
  const rows = commitIds.map((commitId, order) => ({
    release_id: releaseId,
    commit_id: commitId,
    sort_order: order,
  }));
  for (const part of chunks(rows)) {
    await db
      .insertInto('release_commits')
      .values(part)
      .onConflict((oc) => oc.columns(['release_id', 'commit_id']).doNothing())
      .execute();
  }
}

/** The commit of this key (its full SHA) in the repository, if the organization has it. */
export async function findCommitByKey(
  db: Db,
  repositoryId: number,
  key: string,
): Promise<Commit | undefined> {
  const row = await selectCommits(db)
    .where('c.repository_id', '=', repositoryId)
    .where('c.key', '=', key)
    .executeTakeFirst();
  return row && toCommit(row);
}

/** Commits by id (those that exist). */
export async function findCommitsByIds(db: Db, ids: readonly number[]): Promise<Map<number, Commit>> {
  if (ids.length === 0) return new Map();
  const rows = await selectCommits(db)
    .where('c.id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((row) => [row.id, toCommit(row)]));
}

/** A release's commits in order, newest first. */
export async function listReleaseCommits(db: Db, releaseId: number, page: PageRequest): Promise<Commit[]> {
  const rows = await selectCommits(db)
    .innerJoin('release_commits as rc', 'rc.commit_id', 'c.id')
    .where('rc.release_id', '=', releaseId)
    .orderBy('rc.sort_order')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return rows.map(toCommit);
}

/** A repository's commits, newest first. */
export async function listRepositoryCommits(
  db: Db,
  repositoryId: number,
  page: PageRequest,
): Promise<Commit[]> {
  const rows = await selectCommits(db)
    .where('c.repository_id', '=', repositoryId)
    .orderBy('c.date_created', 'desc')
    .orderBy('c.id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return rows.map(toCommit);
}

/** The files changed by a release's commits (of one repository if given), by file name. */
export async function listReleaseFileChanges(
  db: Db,
  releaseId: number,
  page: PageRequest,
  repositoryId?: number,
): Promise<CommitFileChange[]> {
  let q = selectCommits(db)
    .innerJoin('commit_file_changes as f', 'f.commit_id', 'c.id')
    .select(['f.id as file_id', 'f.filename', 'f.type'])
    .where('c.id', 'in', (eb) =>
      eb.selectFrom('release_commits').select('commit_id').where('release_id', '=', releaseId),
    );
  if (repositoryId !== undefined) q = q.where('c.repository_id', '=', repositoryId);
  const rows = await q.orderBy('f.filename').orderBy('f.id').limit(page.limit).offset(page.offset).execute();
  return rows.map((row) => ({
    id: row.file_id,
    commit: toCommit(row),
    filename: row.filename,
    type: row.type,
  }));
}

/** Commit counts, newest commits and authors (by id) of each release; releases without commits are left out. */
export async function releaseCommitSummaries(
  db: Db,
  releaseIds: readonly number[],
): Promise<Map<number, ReleaseCommitSummary>> {
  const out = new Map<number, ReleaseCommitSummary>();
  if (releaseIds.length === 0) return out;
  const ids = [...releaseIds];
  const counts = await db
    .selectFrom('release_commits')
    .select(['release_id', (eb) => eb.fn.countAll<number | string>().as('count')])
    .where('release_id', 'in', ids)
    .groupBy('release_id')
    .execute();
  if (counts.length === 0) return out;
  const newest = await selectCommits(db)
    .innerJoin('release_commits as rc', 'rc.commit_id', 'c.id')
    .select('rc.release_id')
    .where('rc.release_id', 'in', ids)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('release_commits as newer')
            .select('newer.commit_id')
            .whereRef('newer.release_id', '=', 'rc.release_id')
            .whereRef('newer.sort_order', '<', 'rc.sort_order'),
        ),
      ),
    )
    .execute();
  const authors = await db
    .selectFrom('release_commits as rc')
    .innerJoin('commits as c', 'c.id', 'rc.commit_id')
    .innerJoin('commit_authors as a', 'a.id', 'c.author_id')
    .select(['rc.release_id', 'a.id', 'a.name', 'a.email'])
    .distinct()
    .where('rc.release_id', 'in', ids)
    .orderBy('rc.release_id')
    .orderBy('a.id')
    .execute();
  for (const { release_id, count } of counts) {
    const last = newest.find((row) => row.release_id === release_id);
    out.set(release_id, {
      commitCount: Number(count),
      lastCommit: last ? toCommit(last) : null,
      authors: authors
        .filter((a) => a.release_id === release_id)
        .map((a) => ({ id: a.id, name: a.name, email: a.email })),
    });
  }
  return out;
}

/** The releases (of these projects) each commit is in, at most 1000 in all, newest first. */
export async function listReleasesOfCommits(
  db: Db,
  commitIds: readonly number[],
  projectIds: readonly number[],
): Promise<Map<number, Release[]>> {
  const out = new Map<number, Release[]>(commitIds.map((id) => [id, []]));
  if (commitIds.length === 0 || projectIds.length === 0) return out;
  const rows = await db
    .selectFrom('release_commits as rc')
    .innerJoin('releases as r', 'r.id', 'rc.release_id')
    .selectAll('r')
    .select('rc.commit_id')
    .where('rc.commit_id', 'in', [...new Set(commitIds)])
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('release_projects as rp')
          .select('rp.release_id')
          .whereRef('rp.release_id', '=', 'r.id')
          .where('rp.project_id', 'in', [...projectIds]),
      ),
    )
    .orderBy('r.date_created', 'desc')
    .orderBy('r.id', 'desc')
    .limit(1000)
    .execute();
  for (const row of rows) out.get(row.commit_id)?.push(toRelease(row));
  return out;
}

/**
 * The newest other release of the organization with commits that shares one of `projectIds` and
 * was released (or else created) before `release`: where sentry-cli's `--local` starts.
 */
export async function findPreviousReleaseWithCommits(
  db: Db,
  release: Release,
  projectIds: readonly number[],
): Promise<Release | undefined> {
  if (projectIds.length === 0) return undefined;
  const start = release.dateReleased ?? release.dateCreated;
  const row = await db
    .selectFrom('releases as r')
    .selectAll('r')
    .where('r.organization_id', '=', release.organizationId)
    // Earlier by date, or made before it at the same time.
    .where((eb) =>
      eb.or([
        eb(sql`coalesce(r.date_released, r.date_created)`, '<', start),
        eb.and([eb(sql`coalesce(r.date_released, r.date_created)`, '=', start), eb('r.id', '<', release.id)]),
      ]),
    )
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('release_commits as rc').select('rc.commit_id').whereRef('rc.release_id', '=', 'r.id'),
      ),
    )
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('release_projects as rp')
          .select('rp.release_id')
          .whereRef('rp.release_id', '=', 'r.id')
          .where('rp.project_id', 'in', [...projectIds]),
      ),
    )
    .orderBy(sql`coalesce(r.date_released, r.date_created)`, 'desc')
    .orderBy('r.id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && toRelease(row);
}
