import { AppError, notFound } from '../lib/app-error.js';
import { parseShortId } from '../protocol/short-id.js';
import { findOrgMappingById } from '../store/control/org-mappings.js';
import { findIssueById, findIssueByShortId, type Issue } from '../store/region/issue-reads.js';
import { findProject, findProjectById } from '../store/region/projects.js';
import { type OrgAccess, orgAccess, type ProjectAccess, projectAccess } from './access.js';
import type { ScopeMap } from './permissions.js';
import type { ApiCall } from './route.js';

export interface IssueAccess extends ProjectAccess {
  readonly issue: Issue;
}

/**
 * Loads `:issue` (a numeric id, or a short id like WEB-1A under an organization URL) and checks the
 * caller's access to its project. An issue the caller may not see (another organization's, or in a
 * project it does not reach) is answered exactly as a missing one, so that ids reveal nothing.
 * Under `/organizations/:org/` the organization is checked first, then the issue looked up in it
 * only; the older `/issues/:id/` paths take the organization from the issue.
 */
export async function issueEndpoint(call: ApiCall, map: ScopeMap): Promise<IssueAccess> {
  const param = call.params.issue as string;
  const orgParam = call.params.org;
  const region = call.ctx.db.region;
  let access: OrgAccess;
  let issue: Issue | undefined;
  if (orgParam !== undefined) {
    access = await orgAccess(call, orgParam);
    if (/^\d{1,15}$/.test(param)) issue = await findIssueById(region, Number(param));
    else {
      const short = parseShortId(param);
      const project = short && (await findProject(region, access.org.id, short.projectSlug));
      issue = project ? await findIssueByShortId(region, project.id, short.shortId) : undefined;
    }
  } else {
    issue = /^\d{1,15}$/.test(param) ? await findIssueById(region, Number(param)) : undefined;
    const project = issue && (await findProjectById(region, issue.projectId));
    const mapping = project && (await findOrgMappingById(call.ctx.db.control, project.organizationId));
    if (!mapping) throw notFound();
    access = await hiding(orgAccess(call, mapping.slug));
  }
  const project = issue && (await findProjectById(region, issue.projectId));
  if (!issue || !project || project.organizationId !== access.org.id) throw notFound();
  return { ...(await projectAccess(call, access, project, map, true)), issue };
}

/** Turns "no standing in this organization" into "not found", for lookups by id alone. */
async function hiding<T>(loading: Promise<T>): Promise<T> {
  try {
    return await loading;
  } catch (error) {
    if (error instanceof AppError && error.code === 'forbidden') throw notFound();
    throw error;
  }
}
