import { notFound } from '../lib/app-error.js';
import { findOrgMapping, findOrgMappingById } from '../store/control/org-mappings.js';
import { findIssueById, findIssueByShortId, type Issue } from '../store/region/issue-reads.js';
import { findProject, findProjectById } from '../store/region/projects.js';
import { type ProjectAccess, projectEndpoint } from './access.js';
import type { ScopeMap } from './permissions.js';
import type { ApiCall } from './route.js';
import { parseShortId } from './serializers/issue.js';

export interface IssueAccess extends ProjectAccess {
  readonly issue: Issue;
}

/**
 * Loads `:issue` (a numeric id, or a short id like WEB-1A under an organization URL), then checks
 * the caller's access to its project as for any project endpoint. The older `/api/0/issues/:id/`
 * paths name no organization: it is taken from the issue, and access is checked the same way.
 */
export async function issueEndpoint(call: ApiCall, map: ScopeMap): Promise<IssueAccess> {
  const param = call.params.issue as string;
  const region = call.ctx.db.region;
  let issue: Issue | undefined;
  let orgParam = call.params.org;
  if (/^\d{1,15}$/.test(param)) {
    issue = await findIssueById(region, Number(param));
  } else if (orgParam !== undefined) {
    const short = parseShortId(param);
    const access = short && (await projectOf(call, orgParam, short.projectSlug));
    issue = access ? await findIssueByShortId(region, access, short.shortId) : undefined;
  }
  if (!issue) throw notFound();
  const project = await findProjectById(region, issue.projectId);
  if (!project) throw notFound();
  if (orgParam === undefined) {
    const mapping = await findOrgMappingById(call.ctx.db.control, project.organizationId);
    if (!mapping) throw notFound();
    orgParam = mapping.slug;
  }
  const scoped: ApiCall = { ...call, params: { ...call.params, org: orgParam, project: String(project.id) } };
  const access = await projectEndpoint(scoped, map);
  // An issue id from another organization than the URL's is not found there.
  if (access.project.id !== issue.projectId) throw notFound();
  return { ...access, issue };
}

async function projectOf(call: ApiCall, orgParam: string, projectSlug: string): Promise<number | undefined> {
  const mapping = await findOrgMapping(call.ctx.db.control, orgParam);
  if (!mapping) return undefined;
  return (await findProject(call.ctx.db.region, mapping.id, projectSlug))?.id;
}
