import { expect } from 'vitest';
import type { Database } from '../../../src/store/db.js';
import type { Harness } from '../../support/harness.js';
import type { Session } from './world.js';

// "Nothing changed" snapshots: what an organization holds, read through the API as its owner, and
// its issues and events read straight from the database (no API answer shows every count).

/** Parses an answer, leaving out the times that reading itself moves. */
function stable(body: string): unknown {
  return JSON.parse(body, (k, v) =>
    k === 'dateLastUsed' || k === 'lastLogin' || k === 'lastActive' ? undefined : v,
  );
}

const byId = (list: { id: string }[]) => [...list].sort((a, b) => Number(a.id) - Number(b.id));

/** Everything an organization holds as its owner reads it through the API, with its issues and events. */
export async function orgSnapshot(h: Harness, org: string, token: string, session: Session) {
  const read = async (url: string, auth: { token?: string; headers?: Record<string, string> }) => {
    const res = await h.request({ method: 'GET', url, ...auth });
    expect(res.statusCode, url).toBe(200);
    return stable(res.body) as never;
  };
  const detail: { id: string; projects: { slug: string }[]; teams: { slug: string }[] } = await read(
    `/api/0/organizations/${org}/`,
    { token },
  );
  const [members, orgTokens, orgs, apiTokens, keys, teamMembers, issues, releases, alerts] =
    await Promise.all([
      read(`/api/0/organizations/${org}/members/`, { token }),
      read(`/api/0/organizations/${org}/org-auth-tokens/`, { token }).then(byId),
      read('/api/0/organizations/', { token }),
      read('/api/0/api-tokens/', { headers: { cookie: session.cookie } }).then(byId),
      Promise.all(detail.projects.map((p) => read(`/api/0/projects/${org}/${p.slug}/keys/`, { token }))),
      Promise.all(detail.teams.map((t) => read(`/api/0/teams/${org}/${t.slug}/members/`, { token }))),
      issueState(h.ctx.db, Number(detail.id)),
      releaseState(h.ctx.db, Number(detail.id)),
      Promise.all(
        detail.projects.map(async (p) => ({
          rules: await read(`/api/0/projects/${org}/${p.slug}/rules/`, { token }),
          webhooks: await read(`/api/0/projects/${org}/${p.slug}/plugins/webhooks/`, { token }),
        })),
      ),
    ]);
  const uploads = await uploadState(h.ctx.db, Number(detail.id));
  const alertOptOuts = await alertOptOutState(h.ctx.db, Number(detail.id));
  return {
    detail,
    members,
    orgTokens,
    orgs,
    apiTokens,
    keys,
    teamMembers,
    issues,
    releases,
    uploads,
    alerts,
    alertOptOuts,
  };
}

/** Who turned alert email off for which project of the organization. */
async function alertOptOutState(db: Database, organizationId: number) {
  return db.region
    .selectFrom('alert_email_opt_outs')
    .innerJoin('projects', 'projects.id', 'alert_email_opt_outs.project_id')
    .select(['alert_email_opt_outs.project_id', 'alert_email_opt_outs.user_id'])
    .where('projects.organization_id', '=', organizationId)
    .orderBy('alert_email_opt_outs.project_id')
    .orderBy('alert_email_opt_outs.user_id')
    .execute();
}

/** Every issue of the organization's projects: what a change or deletion would move, and its events. */
export async function issueState(db: Database, organizationId: number) {
  const issues = await db.region
    .selectFrom('issues')
    .innerJoin('projects', 'projects.id', 'issues.project_id')
    .select([
      'issues.id',
      'issues.project_id',
      'issues.status',
      'issues.substatus',
      'issues.assignee_user_id',
      'issues.assignee_team_id',
      'issues.times_seen',
      'issues.user_count',
      'issues.resolved_at',
      'issues.ignore_until',
      'issues.ignore_count',
      'issues.ignore_user_count',
      'issues.priority',
      'issues.is_public',
    ])
    .where('projects.organization_id', '=', organizationId)
    .orderBy('issues.id')
    .execute();
  const events = await db.region
    .selectFrom('events')
    .innerJoin('projects', 'projects.id', 'events.project_id')
    .select(['events.issue_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('projects.organization_id', '=', organizationId)
    .groupBy('events.issue_id')
    .orderBy('events.issue_id')
    .execute();
  const hashes = await db.region
    .selectFrom('group_hashes')
    .innerJoin('projects', 'projects.id', 'group_hashes.project_id')
    .select(['group_hashes.issue_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('projects.organization_id', '=', organizationId)
    .groupBy('group_hashes.issue_id')
    .orderBy('group_hashes.issue_id')
    .execute();
  const count = (rows: { issue_id: number | null; n: number }[]) =>
    rows.map((r) => [r.issue_id, Number(r.n)]);
  if (issues.length === 0) throw new Error('a world without issues proves nothing about issue routes');
  return { issues, events: count(events), hashes: count(hashes) };
}

/** An organization's rows straight from the database (cheaper than the API, for the role matrix's many cells). */
export async function orgRows(db: Database, organizationId: number) {
  const r = db.region;
  const projects = await r
    .selectFrom('projects')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .orderBy('id')
    .execute();
  const projectIds = [0, ...projects.map((p) => p.id)];
  const teams = await r
    .selectFrom('teams')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .orderBy('id')
    .execute();
  const teamIds = [0, ...teams.map((t) => t.id)];
  return {
    org: await r.selectFrom('organizations').selectAll().where('id', '=', organizationId).execute(),
    members: await r
      .selectFrom('members')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .orderBy('id')
      .execute(),
    teams,
    teamMembers: await r
      .selectFrom('team_members')
      .selectAll()
      .where('team_id', 'in', teamIds)
      .orderBy(['team_id', 'member_id'])
      .execute(),
    projects,
    projectTeams: await r
      .selectFrom('project_teams')
      .selectAll()
      .where('project_id', 'in', projectIds)
      .orderBy(['project_id', 'team_id'])
      .execute(),
    keys: await r
      .selectFrom('project_keys')
      .selectAll()
      .where('project_id', 'in', projectIds)
      .orderBy('id')
      .execute(),
    alertRules: await r
      .selectFrom('alert_rules')
      .selectAll()
      .where('project_id', 'in', projectIds)
      .orderBy('id')
      .execute(),
    webhookPlugins: await r
      .selectFrom('webhook_plugins')
      .selectAll()
      .where('project_id', 'in', projectIds)
      .orderBy('project_id')
      .execute(),
    orgTokens: await db.control
      .selectFrom('org_tokens')
      .select(['id', 'name', 'scopes', 'date_deactivated'])
      .where('organization_id', '=', organizationId)
      .orderBy('id')
      .execute(),
    slugs: await db.control
      .selectFrom('org_mappings')
      .select(['id', 'slug'])
      .where('id', '=', organizationId)
      .execute(),
    issues: await issueState(db, organizationId),
    releases: await releaseState(db, organizationId),
    uploads: await uploadState(db, organizationId),
    alertOptOuts: await alertOptOutState(db, organizationId),
  };
}

/** Releases of the organization with their projects and deploys. */
export async function releaseState(db: Database, organizationId: number) {
  const r = db.region;
  const releases = await r
    .selectFrom('releases')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .orderBy('id')
    .execute();
  const ids = [0, ...releases.map((x) => x.id)];
  return {
    releases,
    projects: await r
      .selectFrom('release_projects')
      .selectAll()
      .where('release_id', 'in', ids)
      .orderBy('release_id')
      .orderBy('project_id')
      .execute(),
    deploys: await r.selectFrom('deploys').selectAll().where('release_id', 'in', ids).orderBy('id').execute(),
    commits: await commitState(db, organizationId, ids),
  };
}

/** Repositories, commit authors, commits with their files, and which releases list which commits. */
async function commitState(db: Database, organizationId: number, releaseIds: number[]) {
  const r = db.region;
  const commits = await r
    .selectFrom('commits')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .orderBy('id')
    .execute();
  return {
    repositories: await r
      .selectFrom('repositories')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .orderBy('id')
      .execute(),
    authors: await r
      .selectFrom('commit_authors')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .orderBy('id')
      .execute(),
    commits,
    files: await r
      .selectFrom('commit_file_changes')
      .selectAll()
      .where('commit_id', 'in', [0, ...commits.map((c) => c.id)])
      .orderBy('id')
      .execute(),
    releaseCommits: await r
      .selectFrom('release_commits')
      .selectAll()
      .where('release_id', 'in', releaseIds)
      .orderBy('release_id')
      .orderBy('sort_order')
      .execute(),
  };
}

/** Source-map uploads of the organization: chunks, queued assemblies, bundles and what they hold. */
async function uploadState(db: Database, organizationId: number) {
  const r = db.region;
  const bundles = await r
    .selectFrom('artifact_bundles')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .orderBy('id')
    .execute();
  const ids = [0, ...bundles.map((b) => b.id)];
  return {
    chunks: await r
      .selectFrom('upload_chunks')
      .select(['checksum', 'size'])
      .where('organization_id', '=', organizationId)
      .orderBy('checksum')
      .execute(),
    assemblies: await r
      .selectFrom('bundle_assemblies')
      .select(['checksum', 'state', 'detail'])
      .where('organization_id', '=', organizationId)
      .orderBy('checksum')
      .execute(),
    bundles,
    projects: await r
      .selectFrom('artifact_bundle_projects')
      .selectAll()
      .where('artifact_bundle_id', 'in', ids)
      .orderBy(['artifact_bundle_id', 'project_id'])
      .execute(),
    releases: await r
      .selectFrom('artifact_bundle_releases')
      .selectAll()
      .where('artifact_bundle_id', 'in', ids)
      .orderBy(['artifact_bundle_id', 'release', 'dist'])
      .execute(),
    files: await r
      .selectFrom('artifact_bundle_files')
      .select(['artifact_bundle_id', 'path', 'blob_key'])
      .where('artifact_bundle_id', 'in', ids)
      .orderBy('id')
      .execute(),
    blobs: await r
      .selectFrom('blobs')
      .select(['key', 'size'])
      .where((eb) =>
        eb.or([
          eb('key', 'like', `chunk/${organizationId}/%`),
          eb('key', 'like', `bundle/${organizationId}/%`),
        ]),
      )
      .orderBy('key')
      .execute(),
  };
}
