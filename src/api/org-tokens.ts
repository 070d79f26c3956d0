import type { Scope } from '../auth/scopes.js';
import { AppError } from '../lib/app-error.js';
import { parseId } from '../lib/ids.js';
import {
  createOrgToken,
  DEFAULT_ORG_TOKEN_SCOPES,
  parseOrgTokenScopes,
  validateOrgTokenName,
} from '../services/org-tokens.js';
import {
  deactivateOrgToken,
  findActiveOrgToken,
  listActiveOrgTokens,
  renameOrgToken,
} from '../store/control/org-tokens.js';
import { forbidden, orgEndpoint } from './access.js';
import { forgetIdentities } from './credential-cache.js';
import { userOf } from './identity.js';
import { PERMISSIONS } from './permissions.js';
import { type ApiCall, type ApiRoute, created, noContent } from './route.js';
import { object, strList } from './schema.js';
import { serializeOrgToken } from './serializers/tokens.js';

function tokenId(call: ApiCall): number {
  const id = parseId(call.params.token as string);
  if (id === null) throw new AppError('not_found', 'The requested resource does not exist');
  return id;
}

async function listTokens(call: ApiCall) {
  const access = await orgEndpoint(call, PERMISSIONS.orgAuthTokens);
  return (await listActiveOrgTokens(call.ctx.db.control, access.org.id)).map((t) => serializeOrgToken(t));
}

async function postToken(call: ApiCall) {
  const access = await orgEndpoint(call, PERMISSIONS.orgAuthTokens);
  const user = userOf(call.identity);
  // Tokens are minted by people, so that every token traces back to someone who can revoke it.
  if (!user) throw forbidden();
  const body = call.body as { name?: unknown; scopes?: unknown[] };
  const name = validateOrgTokenName(body.name);
  const scopes = parseOrgTokenScopes(body.scopes);
  const beyondDefault = scopes.filter((s) => !DEFAULT_ORG_TOKEN_SCOPES.includes(s));
  // Beyond Sentry: an owner may give a token organization-level scopes, never more than the owner holds.
  if (
    beyondDefault.length > 0 &&
    (!access.scopes.has('org:admin') || !beyondDefault.every((s: Scope) => access.scopes.has(s)))
  ) {
    throw new AppError(
      'forbidden',
      'Only an owner can give an organization token scopes beyond org:ci, and only scopes the owner holds.',
    );
  }
  const { token, record } = await createOrgToken(call.ctx, {
    organizationId: access.org.id,
    orgSlug: access.org.slug,
    name,
    scopes,
    createdById: user.id,
  });
  return created(call, serializeOrgToken(record, token));
}

async function getToken(call: ApiCall) {
  const access = await orgEndpoint(call, PERMISSIONS.orgAuthTokens);
  const token = await findActiveOrgToken(call.ctx.db.control, access.org.id, tokenId(call));
  if (!token) throw new AppError('not_found', 'The requested resource does not exist');
  return serializeOrgToken(token);
}

async function putToken(call: ApiCall) {
  const access = await orgEndpoint(call, PERMISSIONS.orgAuthTokens);
  const body = call.body as { name?: unknown };
  // PUT answers a plain string detail where POST answers a list, as Sentry does.
  if (typeof body.name !== 'string' || body.name.trim() === '')
    throw new AppError('bad_request', 'The name cannot be blank.');
  if (body.name.length > 255)
    throw new AppError('bad_request', 'The name cannot be longer than 255 characters.');
  if (!(await renameOrgToken(call.ctx.db.control, access.org.id, tokenId(call), body.name.trim()))) {
    throw new AppError('not_found', 'The requested resource does not exist');
  }
  forgetIdentities(call.ctx);
  return noContent(call);
}

async function removeToken(call: ApiCall) {
  const access = await orgEndpoint(call, PERMISSIONS.orgAuthTokens);
  if (!(await deactivateOrgToken(call.ctx.db.control, access.org.id, tokenId(call), call.ctx.now()))) {
    throw new AppError('not_found', 'The requested resource does not exist');
  }
  forgetIdentities(call.ctx);
  return noContent(call);
}

export const orgTokenRoutes: ApiRoute[] = [
  {
    method: 'GET',
    url: '/organizations/:org/org-auth-tokens/',
    auth: PERMISSIONS.orgAuthTokens,
    handler: listTokens,
  },
  {
    method: 'POST',
    url: '/organizations/:org/org-auth-tokens/',
    auth: PERMISSIONS.orgAuthTokens,
    body: object({ name: { type: 'string', maxLength: 10_000 }, scopes: strList(64) }),
    handler: postToken,
  },
  {
    method: 'GET',
    url: '/organizations/:org/org-auth-tokens/:token/',
    auth: PERMISSIONS.orgAuthTokens,
    handler: getToken,
  },
  {
    method: 'PUT',
    url: '/organizations/:org/org-auth-tokens/:token/',
    auth: PERMISSIONS.orgAuthTokens,
    body: object({ name: { type: 'string', maxLength: 10_000 } }),
    handler: putToken,
  },
  {
    method: 'DELETE',
    url: '/organizations/:org/org-auth-tokens/:token/',
    auth: PERMISSIONS.orgAuthTokens,
    handler: removeToken,
  },
];
