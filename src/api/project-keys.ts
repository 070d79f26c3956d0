import { notFound } from '../lib/app-error.js';
import { createProjectKey } from '../services/projects.js';
import {
  deleteProjectKey,
  findProjectKey,
  listProjectKeys,
  updateProjectKey,
} from '../store/region/project-keys.js';
import type { ProjectKey } from '../store/types.js';
import { projectEndpoint } from './access.js';
import { paginate } from './pagination.js';
import { PERMISSIONS } from './permissions.js';
import { type ApiCall, type ApiRoute, created, noContent } from './route.js';
import { bool, nullable, object, str } from './schema.js';
import { serializeProjectKey } from './serializers/project-key.js';

const rateLimit = nullable(
  object(
    {
      count: { type: 'integer', minimum: 0, maximum: 1_000_000_000 },
      window: { type: 'integer', minimum: 1, maximum: 86_400 },
    },
    ['count', 'window'],
  ),
);

async function keyTarget(call: ApiCall) {
  const access = await projectEndpoint(call, PERMISSIONS.projectKeys);
  const key = await findProjectKey(call.ctx.db.region, access.project.id, call.params.key as string);
  if (!key) throw notFound();
  return { access, key };
}

async function listKeys(call: ApiCall) {
  const access = await projectEndpoint(call, PERMISSIONS.projectKeys);
  const status =
    call.query.status === 'active' || call.query.status === 'inactive' ? call.query.status : undefined;
  const keys = await paginate(call.request, call.reply, call.ctx.config.url, (page) =>
    listProjectKeys(call.ctx.db.region, access.project.id, page, status),
  );
  return keys.map((key) => serializeProjectKey(key, call.ctx.config.url));
}

async function postKey(call: ApiCall) {
  const access = await projectEndpoint(call, PERMISSIONS.projectKeys);
  const body = (call.body ?? {}) as { name?: string; rateLimit?: { count: number; window: number } | null };
  const key = await createProjectKey(call.ctx, {
    projectId: access.project.id,
    ...(body.name === undefined ? {} : { name: body.name }),
    rateLimit: body.rateLimit ?? null,
  });
  return created(call, serializeProjectKey(key, call.ctx.config.url));
}

async function getKey(call: ApiCall) {
  const { key } = await keyTarget(call);
  return serializeProjectKey(key, call.ctx.config.url);
}

async function putKey(call: ApiCall) {
  const { key } = await keyTarget(call);
  const body = call.body as {
    name?: string;
    isActive?: boolean;
    rateLimit?: { count: number; window: number } | null;
  };
  const changes = {
    ...(body.name === undefined ? {} : { name: body.name }),
    ...(body.isActive === undefined ? {} : { isActive: body.isActive }),
    ...(body.rateLimit === undefined ? {} : { rateLimit: body.rateLimit }),
  };
  await updateProjectKey(call.ctx.db.region, key.id, changes);
  const updated: ProjectKey = { ...key, ...changes };
  return serializeProjectKey(updated, call.ctx.config.url);
}

async function removeKey(call: ApiCall) {
  const { key } = await keyTarget(call);
  await deleteProjectKey(call.ctx.db.region, key.id);
  return noContent(call);
}

export const projectKeyRoutes: ApiRoute[] = [
  { method: 'GET', url: '/projects/:org/:project/keys/', auth: PERMISSIONS.projectKeys, handler: listKeys },
  {
    method: 'POST',
    url: '/projects/:org/:project/keys/',
    auth: PERMISSIONS.projectKeys,
    body: object({ name: str(64), rateLimit, useCase: str(32) }),
    handler: postKey,
  },
  {
    method: 'GET',
    url: '/projects/:org/:project/keys/:key/',
    auth: PERMISSIONS.projectKeys,
    handler: getKey,
  },
  {
    method: 'PUT',
    url: '/projects/:org/:project/keys/:key/',
    auth: PERMISSIONS.projectKeys,
    body: object({ name: str(64, 1), isActive: bool, rateLimit, browserSdkVersion: str(16) }),
    handler: putKey,
  },
  {
    method: 'DELETE',
    url: '/projects/:org/:project/keys/:key/',
    auth: PERMISSIONS.projectKeys,
    handler: removeKey,
  },
];
