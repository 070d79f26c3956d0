import type { Kysely } from 'kysely';
import { AppError, badRequest } from '../lib/app-error.js';
import { findUserByEmail } from '../store/control/users.js';
import { insertIssueActivity, type NewActivity } from '../store/region/issue-activity.js';
import type { Issue } from '../store/region/issue-reads.js';
import {
  deleteIssues,
  mergeIssues,
  type StatusChange,
  setIssueBookmarks,
  setIssueSeen,
  updateIssueFields,
  updateIssueStatus,
} from '../store/region/issue-updates.js';
import { findMemberOfUser } from '../store/region/members.js';
import { findTeam } from '../store/region/teams.js';
import type { RegionSchema } from '../store/schema.js';
import type { Organization } from '../store/types.js';
import type { OrgAccess } from './access.js';
import { assignmentEmailFor } from './assignment-email.js';
import { loadAuthorViews } from './commit-views.js';
import { userOf } from './identity.js';
import { planResolution, type ResolutionPlan } from './issue-resolution.js';
import type { ApiCall } from './route.js';
import { bool, nullable, object, str } from './schema.js';
import { serializeCommit } from './serializers/commit.js';
import { serializeUser } from './serializers/user.js';

/** The body of `PUT …/issues/:id/` and of the bulk `PUT …/issues/` (Sentry's names). */
export interface IssueUpdate {
  status?: string;
  substatus?: string | null;
  statusDetails?: Record<string, unknown>;
  ignoreDuration?: number | null;
  snoozeDuration?: number | null;
  assignedTo?: string | null;
  hasSeen?: boolean;
  isBookmarked?: boolean;
  isSubscribed?: boolean;
  isPublic?: boolean;
  priority?: string;
  merge?: boolean | number | string;
}

const count = nullable({ type: 'integer', minimum: 0, maximum: 1_000_000_000 });
export const ISSUE_UPDATE_SCHEMA = object({
  status: {
    type: 'string',
    enum: ['resolved', 'resolvedInNextRelease', 'unresolved', 'ignored', 'muted', 'archived'],
  },
  substatus: nullable(str(64)),
  statusDetails: object({
    ignoreDuration: count,
    ignoreCount: count,
    ignoreWindow: count,
    ignoreUserCount: count,
    ignoreUserWindow: count,
    ignoreUntilEscalating: nullable(bool),
    inRelease: nullable(str(250)),
    inNextRelease: nullable(bool),
    inCommit: {},
  }),
  ignoreDuration: count,
  snoozeDuration: count,
  assignedTo: nullable(str(260)),
  hasSeen: bool,
  isBookmarked: bool,
  isSubscribed: bool,
  isPublic: bool,
  priority: { type: 'string', enum: ['low', 'medium', 'high'] },
  merge: { anyOf: [bool, { type: 'integer' }, { type: 'string' }] },
  inbox: bool,
});

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null);

/** Turns Sentry's status fields into one concrete change, or null when the body changes no status. */
export function statusChange(update: IssueUpdate, now: number): StatusChange | null {
  if (update.status === undefined) return null;
  switch (update.status) {
    case 'resolved':
    case 'resolvedInNextRelease':
      return {
        status: 'resolved',
        substatus: null,
        resolvedAt: now,
        ignoreUntil: null,
        ignoreCount: null,
        ignoreUserCount: null,
      };
    case 'unresolved':
      return {
        status: 'unresolved',
        substatus: 'ongoing',
        resolvedAt: null,
        ignoreUntil: null,
        ignoreCount: null,
        ignoreUserCount: null,
      };
    default: {
      const details = update.statusDetails ?? {};
      const minutes = num(details.ignoreDuration) ?? num(update.ignoreDuration) ?? num(update.snoozeDuration);
      const ignoreCount = num(details.ignoreCount);
      const ignoreUserCount = num(details.ignoreUserCount);
      const conditional = minutes !== null || ignoreCount !== null || ignoreUserCount !== null;
      const substatus = conditional
        ? 'archived_until_condition_met'
        : details.ignoreUntilEscalating === true || update.substatus === 'archived_until_escalating'
          ? 'archived_until_escalating'
          : 'archived_forever';
      return {
        status: 'ignored',
        substatus,
        resolvedAt: null,
        ignoreUntil: minutes === null ? null : now + minutes * 60_000,
        ignoreCount,
        ignoreUserCount,
      };
    }
  }
}

/** Resolves `assignedTo` ("user:ID", "team:ID", an email, or empty to clear) within the organization. */
async function assignee(
  call: ApiCall,
  org: Organization,
  value: string | null,
): Promise<{ user: number | null; team: number | null }> {
  if (value === null || value === '') return { user: null, team: null };
  const region = call.ctx.db.region;
  const [kind, id] = value.includes(':') ? (value.split(':', 2) as [string, string]) : ['', value];
  if (kind === 'team') {
    const team = await findTeam(region, org.id, id);
    if (!team) throw badRequest({ assignedTo: ['Unknown actor input'], detail: `Unknown team: ${id}` });
    return { user: null, team: team.id };
  }
  let userId: number | null = null;
  if (kind === 'user' && /^\d+$/.test(id)) userId = Number(id);
  else if (kind === '' || kind === 'user')
    userId = (await findUserByEmail(call.ctx.db.control, id))?.id ?? null;
  const member = userId === null ? undefined : await findMemberOfUser(region, org.id, userId);
  if (!member || member.userId === null) {
    throw badRequest({
      assignedTo: ['Cannot assign to non-team member'],
      detail: `${value} is not a member of this organization.`,
    });
  }
  return { user: member.userId, team: null };
}

/**
 * Applies an update to issues of one organization: status, assignee, bookmark, seen, public and
 * priority, or a merge. Returns what Sentry echoes for bulk updates.
 */
export async function applyIssueUpdate(
  call: ApiCall,
  access: OrgAccess,
  issues: readonly Issue[],
  update: IssueUpdate,
) {
  const ids = issues.map((i) => i.id);
  const now = call.ctx.now();
  const user = userOf(call.identity);
  const region = call.ctx.db.region;
  if (update.merge !== undefined && update.merge !== false && update.merge !== 0 && update.merge !== '0') {
    if (issues.length < 2) throw badRequest('Merging needs at least two issues.');
    if (new Set(issues.map((i) => i.projectId)).size > 1)
      throw badRequest('Only issues from the same project can be merged.');
    const parent = [...issues].sort((a, b) => b.timesSeen - a.timesSeen || a.id - b.id)[0] as Issue;
    const children = ids.filter((id) => id !== parent.id);
    await region.transaction().execute((trx) => mergeIssues(trx, parent.id, children));
    return { merge: { parent: String(parent.id), children: children.map(String) } };
  }
  const change = statusChange(update, now);
  // Before any write: a release or commit the project lacks is a 400 that changes nothing.
  const plan =
    change?.status === 'resolved'
      ? await planResolution(
          call.ctx.db,
          access.org.id,
          update.status as string,
          update.statusDetails ?? {},
          issues,
        )
      : null;
  const who =
    update.assignedTo === undefined ? undefined : await assignee(call, access.org, update.assignedTo);
  if ((update.hasSeen !== undefined || update.isBookmarked !== undefined) && !user) {
    throw new AppError('bad_request', 'hasSeen and isBookmarked need a user; organization tokens have none.');
  }
  const actorId = user?.id ?? null;
  const email = who?.user ? await assignmentEmailFor(call, access.org, issues, who.user, user) : null;
  await region.transaction().execute(async (trx) => {
    if (change) await writeStatusChange(trx, issues, change, plan, actorId);
    if (change) await insertIssueActivity(trx, statusActivity(issues, change, plan, update, actorId, now));
    await updateIssueFields(trx, ids, {
      ...(who === undefined ? {} : { assignee_user_id: who.user, assignee_team_id: who.team }),
      ...(update.isPublic === undefined ? {} : { is_public: update.isPublic ? 1 : 0 }),
      ...(update.priority === undefined ? {} : { priority: update.priority }),
    });
    if (user && update.isBookmarked !== undefined)
      await setIssueBookmarks(trx, ids, user.id, update.isBookmarked);
    if (user && update.hasSeen !== undefined) await setIssueSeen(trx, ids, user.id, update.hasSeen, now);
    if (email) await call.ctx.mailer.queue(trx, email, now);
  });
  const actor = user ? serializeUser(user) : null;
  const resolvedIn = plan && (await resolvedInDetails(call, plan));
  return {
    ...(change
      ? {
          status: change.status,
          substatus: change.substatus,
          statusDetails: resolvedIn
            ? { ...resolvedIn, actor }
            : {
                ...(change.ignoreUntil === null
                  ? {}
                  : { ignoreUntil: new Date(change.ignoreUntil).toISOString() }),
                ...(change.ignoreCount === null ? {} : { ignoreCount: change.ignoreCount }),
                ...(change.ignoreUserCount === null ? {} : { ignoreUserCount: change.ignoreUserCount }),
              },
          inbox: null,
        }
      : {}),
    ...(update.assignedTo === undefined ? {} : { assignedTo: update.assignedTo || null }),
    ...(update.hasSeen === undefined ? {} : { hasSeen: update.hasSeen }),
    ...(update.isBookmarked === undefined ? {} : { isBookmarked: update.isBookmarked }),
    ...(update.isPublic === undefined ? {} : { isPublic: update.isPublic }),
    ...(update.priority === undefined ? {} : { priority: update.priority }),
  };
}

/** Writes a status change, with the resolution in a release or commit it brings, if any. */
async function writeStatusChange(
  trx: Kysely<RegionSchema>,
  issues: readonly Issue[],
  change: StatusChange,
  plan: ResolutionPlan | null,
  actorId: number | null,
): Promise<void> {
  const ids = issues.map((i) => i.id);
  if (!plan) return updateIssueStatus(trx, ids, change);
  if (plan.type === 'in_commit') {
    const resolution = { type: 'in_commit', commitId: plan.commit.id, actorId } as const;
    return updateIssueStatus(trx, ids, { ...change, resolution });
  }
  // Resolved in the next release, each issue keeps the release it was current in.
  const byCurrent = new Map<number | null, number[]>();
  for (const issue of issues) {
    const current = plan.currentOf(issue)?.id ?? null;
    byCurrent.set(current, [...(byCurrent.get(current) ?? []), issue.id]);
  }
  for (const [currentReleaseId, group] of byCurrent) {
    await updateIssueStatus(trx, group, {
      ...change,
      resolution: { type: plan.type, releaseId: plan.release.id, currentReleaseId, actorId },
    });
  }
}

/** What `statusDetails` says of a resolution in a release or a commit, as Sentry answers it. */
async function resolvedInDetails(call: ApiCall, plan: ResolutionPlan) {
  if (plan.type !== 'in_commit') {
    return plan.type === 'in_release' ? { inRelease: plan.release.version } : { inNextRelease: true };
  }
  const { commit } = plan;
  const authors = await loadAuthorViews(call, commit.organizationId, commit.author ? [commit.author] : []);
  return { inCommit: serializeCommit(commit, plan.repository, authors) };
}

/**
 * The activity a status change leaves on each issue it changes (one whose status, or release
 * resolution, it alters), as Sentry records it: resolved (in a release, naming its version; in the
 * next release, naming the release current then), unresolved, or ignored with its conditions.
 */
function statusActivity(
  issues: readonly Issue[],
  change: StatusChange,
  plan: ResolutionPlan | null,
  update: IssueUpdate,
  userId: number | null,
  now: number,
): NewActivity[] {
  const out: NewActivity[] = [];
  for (const issue of issues) {
    const same =
      issue.status === change.status &&
      (change.status !== 'resolved' ||
        (issue.resolutionType === (plan?.type ?? null) &&
          (plan?.type === 'in_commit'
            ? issue.resolutionCommitId === plan.commit.id
            : issue.resolutionReleaseId === (plan?.release.id ?? null))));
    if (same) continue;
    const base = { issueId: issue.id, userId, dateCreated: now };
    if (change.status === 'resolved' && plan?.type === 'in_commit') {
      // Sentry keeps the commit's id; the activity list shows the commit itself.
      out.push({ ...base, type: 'set_resolved_in_commit', data: { commit: plan.commit.id } });
    } else if (change.status === 'resolved' && plan && plan.type !== 'in_commit') {
      const current = plan.currentOf(issue);
      out.push({
        ...base,
        type: 'set_resolved_in_release',
        data:
          plan.type === 'in_release'
            ? { version: plan.release.version }
            : { version: '', ...(current ? { current_release_version: current.version } : {}) },
      });
    } else if (change.status === 'resolved') out.push({ ...base, type: 'set_resolved', data: {} });
    else if (change.status === 'unresolved') out.push({ ...base, type: 'set_unresolved', data: {} });
    else {
      const details = update.statusDetails ?? {};
      out.push({
        ...base,
        type: 'set_ignored',
        data: {
          ignoreCount: change.ignoreCount,
          ignoreDuration:
            change.ignoreUntil === null ? null : Math.round((change.ignoreUntil - now) / 60_000),
          ignoreUntil: change.ignoreUntil === null ? null : new Date(change.ignoreUntil).toISOString(),
          ignoreUserCount: change.ignoreUserCount,
          ignoreUserWindow: details.ignoreUserWindow ?? null,
          ignoreWindow: details.ignoreWindow ?? null,
          ...(change.substatus === 'archived_until_escalating' ? { ignoreUntilEscalating: true } : {}),
        },
      });
    }
  }
  return out;
}

export async function removeIssues(call: ApiCall, issues: readonly Issue[]): Promise<void> {
  await call.ctx.db.region.transaction().execute((trx) =>
    deleteIssues(
      trx,
      issues.map((i) => i.id),
    ),
  );
}
