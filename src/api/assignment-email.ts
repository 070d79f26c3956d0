import { formatShortId } from '../protocol/short-id.js';
import { type AssignedIssue, assignmentEmail } from '../services/emails.js';
import type { OutgoingEmail } from '../services/mailer.js';
import { findUserNotificationSettings } from '../store/control/notification-settings.js';
import { findUserById } from '../store/control/users.js';
import type { Issue } from '../store/region/issue-reads.js';
import { findProjectById } from '../store/region/projects.js';
import type { Organization, User } from '../store/types.js';
import type { ApiCall } from './route.js';

/**
 * The workflow email for an assignment, or null when none is due: Sentry's rule that people are not
 * told of what they did themselves, nor of issues that were already theirs, nor when they turned
 * workflow email off. Worked out before the change's transaction, which queues it.
 */
export async function assignmentEmailFor(
  call: ApiCall,
  org: Organization,
  issues: readonly Issue[],
  assigneeUserId: number,
  actor: User | null,
): Promise<OutgoingEmail | null> {
  if (actor?.id === assigneeUserId) return null;
  const newly = issues.filter((i) => i.assigneeUserId !== assigneeUserId);
  if (newly.length === 0) return null;
  const control = call.ctx.db.control;
  const assignee = await findUserById(control, assigneeUserId);
  if (!assignee?.isActive) return null;
  if (!(await findUserNotificationSettings(control, assignee.id)).workflowEmail) return null;
  const slugs = new Map<number, string>();
  for (const projectId of new Set(newly.map((i) => i.projectId))) {
    const project = await findProjectById(call.ctx.db.region, projectId);
    slugs.set(projectId, project?.slug ?? String(projectId));
  }
  const base = call.ctx.config.url;
  const listed: AssignedIssue[] = newly.map((issue) => ({
    shortId: formatShortId(slugs.get(issue.projectId) as string, issue.shortId),
    title: issue.title,
    culprit: issue.culprit,
    link: `${base}/organizations/${encodeURIComponent(org.slug)}/issues/${issue.id}/`,
  }));
  return assignmentEmail({
    to: assignee.email,
    actorName: actor ? actor.name || actor.email : 'An organization token',
    orgName: org.name,
    issues: listed,
    settingsLink: `${base}/settings/account/notifications/`,
  });
}
