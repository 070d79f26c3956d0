import { type AppError, badRequest, notFound } from '../lib/app-error.js';
import { isEnvironmentName } from '../protocol/environment-name.js';
import { releaseVersionProblem } from '../protocol/release-version.js';
import { isUniqueViolation } from '../store/conflict.js';
import { recordEnvironments } from '../store/region/environments.js';
import { settleNextReleaseResolutions } from '../store/region/issue-updates.js';
import {
  addReleaseProjects,
  deleteRelease,
  findRelease,
  insertDeploy,
  insertRelease,
  isReleaseReferenced,
  listDeploys,
  listProjectIdsOfReleases,
  listReleases,
  type ReleaseFilter,
  releaseStats,
  updateRelease,
} from '../store/region/releases.js';
import type { Project, Release, ReleaseStats } from '../store/types.js';
import { forbidden, type OrgAccess, orgEndpoint, projectEndpoint, reachedProjects } from './access.js';
import { releaseCommitFields } from './commit-views.js';
import { paginate } from './pagination.js';
import { PERMISSIONS } from './permissions.js';
import { readCommitPlan, writeCommitPlan } from './release-commit-changes.js';
import { readHealthOptions, releaseHealth } from './release-health.js';
import { type ApiCall, type ApiRoute, created, noContent } from './route.js';
import { nullable, object, str, strList } from './schema.js';
import { serializeDeploy, serializeRelease } from './serializers/release.js';

const date = nullable(str(64));

function fieldError(field: string, message: string): AppError {
  return badRequest({ [field]: [message], detail: `${field}: ${message}` });
}

const ISO_DATE = /^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?)?$/;

/** An ISO 8601 date of the body as epoch ms; null or absent stays so. */
function dateField(body: Record<string, unknown>, field: string): number | null | undefined {
  const value = body[field];
  if (value === undefined || value === null) return value;
  // Date.parse takes free text ("Dec 6"); Sentry takes ISO 8601 only.
  const ms = ISO_DATE.test(value as string) ? Date.parse(value as string) : Number.NaN;
  if (Number.isNaN(ms)) throw fieldError(field, 'Datetime has wrong format.');
  return ms;
}

/** Releases as Sentry answers them, showing only the projects in `reached`, with their health. */
export async function serialize(call: ApiCall, releases: readonly Release[], reached: readonly Project[]) {
  const region = call.ctx.db.region;
  const byId = new Map(reached.map((p) => [p.id, p]));
  const projectIds = await listProjectIdsOfReleases(
    region,
    releases.map((r) => r.id),
  );
  const stats = await releaseStats(region, releases, [...byId.keys()]);
  const commitFields = await releaseCommitFields(call, releases);
  const health = await releaseHealth(
    call,
    [...byId.keys()],
    releases.map((r) => r.version),
    readHealthOptions(call),
  );
  return releases.map((release) => {
    const projects = (projectIds.get(release.id) ?? []).flatMap((id) => byId.get(id) ?? []);
    return {
      ...serializeRelease(release, projects, stats.get(release.id) as ReleaseStats, health),
      ...commitFields(release.id),
    };
  });
}

/** Loads `:version` of the organization; a release of no project the caller reaches is not there. */
export async function releaseTarget(call: ApiCall) {
  const access = await orgEndpoint(call, PERMISSIONS.releases);
  const reached = await reachedProjects(call, access, PERMISSIONS.releases);
  const release = await findRelease(call.ctx.db.region, access.org.id, call.params.version as string);
  if (!release) throw notFound();
  const ids = (await listProjectIdsOfReleases(call.ctx.db.region, [release.id])).get(release.id) ?? [];
  const projects = reached.filter((p) => ids.includes(p.id));
  if (projects.length === 0) throw notFound();
  return { access, release, projects };
}

/** `?project=` ids or slugs narrow the list; one the caller does not reach is refused, as for issues. */
function narrowByProject(call: ApiCall, reached: readonly Project[]): Project[] {
  const asked = [call.query.project ?? []].flat().filter((p) => p !== '' && p !== '-1');
  if (asked.length === 0) return [...reached];
  return asked.map((id) => {
    const project = reached.find((p) => String(p.id) === id || p.slug === id);
    if (!project) throw forbidden();
    return project;
  });
}

const SORTS = ['date', 'sessions'] as const;

/** The list's `query`, `environment` (repeatable) and `sort` parameters. */
function releaseFilter(call: ApiCall): ReleaseFilter {
  const query =
    typeof call.query.query === 'string' && call.query.query !== '' ? call.query.query : undefined;
  const environments = [call.query.environment ?? []].flat().filter((e) => e !== '');
  const sort = call.query.sort ?? 'date';
  if (typeof sort !== 'string' || !(SORTS as readonly string[]).includes(sort)) {
    throw badRequest(`invalid sort: use one of ${SORTS.join(', ')}`);
  }
  return {
    ...(query ? { query } : {}),
    ...(environments.length > 0 ? { environments } : {}),
    sort: sort as ReleaseFilter['sort'],
  };
}

async function listOrgReleases(call: ApiCall) {
  const access = await orgEndpoint(call, PERMISSIONS.releases);
  const projects = narrowByProject(call, await reachedProjects(call, access, PERMISSIONS.releases));
  const filter = releaseFilter(call);
  const releases = await paginate(call.request, call.reply, call.ctx.config.url, (page) =>
    listReleases(
      call.ctx.db.region,
      access.org.id,
      projects.map((p) => p.id),
      page,
      filter,
    ),
  );
  return serialize(call, releases, projects);
}

interface CreateReleaseBody {
  version: string;
  projects: string[];
  ref?: string | null;
  url?: string | null;
  dateStarted?: string | null;
  dateReleased?: string | null;
}

/** The body's project slugs (or ids), each one of the projects the caller may create releases in. */
function namedProjects(reached: readonly Project[], names: readonly string[]): Project[] {
  const projects = names.map((name) => reached.find((p) => p.slug === name || String(p.id) === name));
  if (names.length === 0 || projects.some((p) => p === undefined)) {
    throw fieldError('projects', 'Invalid project ids or slugs');
  }
  return [...new Set(projects as Project[])];
}

/** Creates a release, or adds projects to the one of that version (Sentry's 208). */
async function createRelease(call: ApiCall) {
  const access = await orgEndpoint(call, PERMISSIONS.releases);
  const body = call.body as CreateReleaseBody;
  const problem = releaseVersionProblem(body.version);
  if (problem) throw fieldError('version', problem);
  const reached = await reachedProjects(call, access, PERMISSIONS.releases);
  return createIn(call, access, namedProjects(reached, body.projects), reached);
}

/** Sentry's older project-level create (sentry-cli 2.x uses it): a release of the URL's project. */
async function createProjectRelease(call: ApiCall) {
  const access = await projectEndpoint(call, PERMISSIONS.releases);
  const body = call.body as CreateReleaseBody;
  const problem = releaseVersionProblem(body.version);
  if (problem) throw fieldError('version', problem);
  return createIn(call, access, [access.project], [access.project]);
}

/** Creates the release in these projects, or adds them to the one of that version (Sentry's 208). */
async function createIn(
  call: ApiCall,
  access: OrgAccess,
  projects: readonly Project[],
  reached: readonly Project[],
) {
  const body = call.body as CreateReleaseBody;
  const raw = call.body as Record<string, unknown>;
  const commitPlan = await readCommitPlan(call, access.org.id, raw, { emptyRefsClear: false });
  const fields = {
    organizationId: access.org.id,
    version: body.version,
    ref: body.ref ?? null,
    url: body.url ?? null,
    dateCreated: call.ctx.now(),
    dateStarted: dateField(raw, 'dateStarted') ?? null,
    dateReleased: dateField(raw, 'dateReleased') ?? null,
  };
  const region = call.ctx.db.region;
  const { release, isNew } = await region
    .transaction()
    .execute(async (trx) => {
      const existing = await findRelease(trx, access.org.id, body.version);
      const release = existing ?? (await insertRelease(trx, fields));
      await addReleaseProjects(
        trx,
        release.id,
        projects.map((p) => p.id),
      );
      // A new release settles issues resolved "in the next release" of an older one.
      if (!existing)
        await settleNextReleaseResolutions(
          trx,
          release,
          projects.map((p) => p.id),
        );
      return { release, isNew: existing === undefined };
    })
    .catch(async (error: unknown) => {
      // Another request created the same version first: answer as for an existing one.
      if (!isUniqueViolation(error)) throw error;
      const release = (await findRelease(region, access.org.id, body.version)) as Release;
      await addReleaseProjects(
        region,
        release.id,
        projects.map((p) => p.id),
      );
      return { release, isNew: false };
    });
  if (commitPlan) await writeCommitPlan(call, release, commitPlan);
  const [answer] = await serialize(call, [release], reached);
  call.reply.code(isNew ? 201 : 208);
  return answer;
}

async function getRelease(call: ApiCall) {
  const { release, projects } = await releaseTarget(call);
  return (await serialize(call, [release], projects))[0];
}

async function putRelease(call: ApiCall) {
  const { release, projects } = await releaseTarget(call);
  return updateReleaseFrom(call, release, projects);
}

/** Sentry's older project-level update (sentry-cli 2.x finalizes through it). */
async function putProjectRelease(call: ApiCall) {
  const { access, release } = await projectReleaseTarget(call);
  return updateReleaseFrom(call, release, [access.project]);
}

/** Applies the body's fields and commits to the release; its answer as these projects see it. */
async function updateReleaseFrom(call: ApiCall, release: Release, projects: readonly Project[]) {
  const body = call.body as Record<string, unknown>;
  const dateReleased = dateField(body, 'dateReleased');
  const commitPlan = await readCommitPlan(call, release.organizationId, body, { emptyRefsClear: true });
  await updateRelease(call.ctx.db.region, release.id, {
    ...(body.ref === undefined ? {} : { ref: body.ref as string | null }),
    ...(body.url === undefined ? {} : { url: body.url as string | null }),
    ...(dateReleased === undefined ? {} : { dateReleased }),
  });
  if (commitPlan) await writeCommitPlan(call, release, commitPlan);
  const updated = (await findRelease(call.ctx.db.region, release.organizationId, release.version)) as Release;
  return (await serialize(call, [updated], projects))[0];
}

async function removeRelease(call: ApiCall) {
  const { release } = await releaseTarget(call);
  const region = call.ctx.db.region;
  // Every project of the release counts, reached or not: an issue anywhere keeps it.
  const ids = (await listProjectIdsOfReleases(region, [release.id])).get(release.id) ?? [];
  if (await isReleaseReferenced(region, ids, release.version)) {
    throw badRequest('This release is referenced by active issues and cannot be removed.');
  }
  await deleteRelease(region, release.id);
  return noContent(call);
}

async function listProjectReleases(call: ApiCall) {
  const access = await projectEndpoint(call, PERMISSIONS.releases);
  const filter = releaseFilter(call);
  const releases = await paginate(call.request, call.reply, call.ctx.config.url, (page) =>
    listReleases(call.ctx.db.region, access.org.id, [access.project.id], page, filter),
  );
  return serialize(call, releases, [access.project]);
}

/** `:version` of the URL's project; a release of other projects only is not there. */
async function projectReleaseTarget(call: ApiCall) {
  const access = await projectEndpoint(call, PERMISSIONS.releases);
  const region = call.ctx.db.region;
  const release = await findRelease(region, access.org.id, call.params.version as string);
  const ids = release ? ((await listProjectIdsOfReleases(region, [release.id])).get(release.id) ?? []) : [];
  if (!release || !ids.includes(access.project.id)) throw notFound();
  return { access, release };
}

async function getProjectRelease(call: ApiCall) {
  const { access, release } = await projectReleaseTarget(call);
  return (await serialize(call, [release], [access.project]))[0];
}

async function listReleaseDeploys(call: ApiCall) {
  const { release } = await releaseTarget(call);
  const deploys = await paginate(call.request, call.reply, call.ctx.config.url, (page) =>
    listDeploys(call.ctx.db.region, release.id, page),
  );
  return deploys.map(serializeDeploy);
}

interface DeployBody {
  environment: string;
  name?: string | null;
  url?: string | null;
}

async function createDeploy(call: ApiCall) {
  const { release } = await releaseTarget(call);
  const body = call.body as DeployBody;
  if (!isEnvironmentName(body.environment)) {
    throw fieldError('environment', 'Invalid value for environment');
  }
  const raw = call.body as Record<string, unknown>;
  const dateStarted = dateField(raw, 'dateStarted') ?? null;
  const dateFinished = dateField(raw, 'dateFinished') ?? call.ctx.now();
  // A deploy names an environment for every project of its release, as an event does.
  const deploy = await call.ctx.db.region.transaction().execute(async (trx) => {
    const deploy = await insertDeploy(trx, {
      releaseId: release.id,
      environment: body.environment,
      name: body.name ?? null,
      url: body.url ?? null,
      dateStarted,
      dateFinished,
    });
    const projectIds = (await listProjectIdsOfReleases(trx, [release.id])).get(release.id) ?? [];
    await recordEnvironments(
      trx,
      projectIds.map((projectId) => ({
        projectId,
        environment: deploy.environment,
        release: release.version,
        at: deploy.dateFinished,
      })),
    );
    return deploy;
  });
  return created(call, serializeDeploy(deploy));
}

const releaseFields = { ref: nullable(str(1024)), url: nullable(str(1024)), dateReleased: date };
const RELEASE = '/organizations/:org/releases/:version/';

export const releaseRoutes: ApiRoute[] = [
  {
    method: 'GET',
    url: '/organizations/:org/releases/',
    auth: PERMISSIONS.releases,
    handler: listOrgReleases,
  },
  {
    method: 'POST',
    url: '/organizations/:org/releases/',
    auth: PERMISSIONS.releases,
    body: object(
      { version: { type: 'string' }, projects: strList(1000), dateStarted: date, ...releaseFields },
      ['version', 'projects'],
    ),
    handler: createRelease,
  },
  { method: 'GET', url: RELEASE, auth: PERMISSIONS.releases, handler: getRelease },
  {
    method: 'PUT',
    url: RELEASE,
    auth: PERMISSIONS.releases,
    body: object(releaseFields),
    handler: putRelease,
  },
  { method: 'DELETE', url: RELEASE, auth: PERMISSIONS.releases, handler: removeRelease },
  {
    method: 'GET',
    url: '/projects/:org/:project/releases/',
    auth: PERMISSIONS.releases,
    handler: listProjectReleases,
  },
  {
    method: 'POST',
    url: '/projects/:org/:project/releases/',
    auth: PERMISSIONS.releases,
    body: object({ version: { type: 'string' }, dateStarted: date, ...releaseFields }, ['version']),
    handler: createProjectRelease,
  },
  {
    method: 'GET',
    url: '/projects/:org/:project/releases/:version/',
    auth: PERMISSIONS.releases,
    handler: getProjectRelease,
  },
  {
    method: 'PUT',
    url: '/projects/:org/:project/releases/:version/',
    auth: PERMISSIONS.releases,
    body: object(releaseFields),
    handler: putProjectRelease,
  },
  { method: 'GET', url: `${RELEASE}deploys/`, auth: PERMISSIONS.releases, handler: listReleaseDeploys },
  {
    method: 'POST',
    url: `${RELEASE}deploys/`,
    auth: PERMISSIONS.releases,
    body: object(
      {
        environment: str(64),
        name: nullable(str(64)),
        url: nullable(str(1024)),
        dateStarted: date,
        dateFinished: date,
      },
      ['environment'],
    ),
    handler: createDeploy,
  },
];
