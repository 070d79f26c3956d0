import type { Kysely } from 'kysely';
import type { IssueAlert } from '../../alerts/issue-alert.js';
import { formatShortId } from '../../protocol/short-id.js';
import type { RegionSchema } from '../schema.js';

type Db = Kysely<RegionSchema>;

/** An issue as an alert about it names it, with its project and organization. */
export interface AlertSubject {
  readonly issue: {
    readonly id: number;
    readonly shortId: number;
    readonly title: string;
    readonly culprit: string;
    readonly level: string;
    readonly timesSeen: number;
    readonly firstSeen: number;
  };
  readonly project: { readonly id: number; readonly slug: string; readonly name: string };
  readonly organizationSlug: string;
}

/** The issue as an alert shows it: its short id in the project's form, no empty culprit. */
export function alertedIssue(subject: AlertSubject): IssueAlert['issue'] {
  const { issue, project } = subject;
  return {
    id: issue.id,
    shortId: formatShortId(project.slug, issue.shortId),
    title: issue.title,
    culprit: issue.culprit || null,
    level: issue.level,
    count: issue.timesSeen,
    firstSeen: issue.firstSeen,
  };
}

/** The issues with their projects and organizations, by issue id (those that exist). */
export async function findAlertSubjects(
  db: Db,
  issueIds: readonly number[],
): Promise<Map<number, AlertSubject>> {
  if (issueIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('issues')
    .innerJoin('projects', 'projects.id', 'issues.project_id')
    .innerJoin('organizations', 'organizations.id', 'projects.organization_id')
    .select([
      'issues.id',
      'issues.short_id',
      'issues.title',
      'issues.culprit',
      'issues.level',
      'issues.times_seen',
      'issues.first_seen',
      'projects.id as project_id',
      'projects.slug as project_slug',
      'projects.name as project_name',
      'organizations.slug as organization_slug',
    ])
    .where('issues.id', 'in', [...issueIds])
    .execute();
  return new Map(
    rows.map((r) => [
      r.id,
      {
        issue: {
          id: r.id,
          shortId: r.short_id,
          title: r.title,
          culprit: r.culprit,
          level: r.level,
          timesSeen: r.times_seen,
          firstSeen: r.first_seen,
        },
        project: { id: r.project_id, slug: r.project_slug, name: r.project_name },
        organizationSlug: r.organization_slug,
      },
    ]),
  );
}

/** The project's most recently seen issue, which a test notification tells of; undefined when it has none. */
export async function findLatestIssueId(db: Db, projectId: number): Promise<number | undefined> {
  const row = await db
    .selectFrom('issues')
    .select('id')
    .where('project_id', '=', projectId)
    .orderBy('last_seen', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.id;
}
