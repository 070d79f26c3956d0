import { findOrgMappingById } from '../store/control/org-mappings.js';
import { listOrganizationsOfUser } from '../store/region/organizations.js';
import { forbidden } from './access.js';
import { userOf } from './identity.js';
import { PERMISSIONS } from './permissions.js';
import type { ApiCall, ApiRoute } from './route.js';
import { serializeUser } from './serializers/user.js';

/** `GET /api/0/`: who the caller is and what their credential allows (sentry-cli `info`). */
async function apiRoot(call: ApiCall) {
  const identity = call.identity;
  switch (identity.kind) {
    case 'anonymous':
      return { version: '0', auth: null, user: null };
    case 'org-token':
      return { version: '0', auth: { scopes: [...identity.scopes].sort() }, user: null };
    case 'user-token':
      return {
        version: '0',
        auth: { scopes: [...identity.scopes].sort() },
        user: serializeUser(identity.user),
      };
    case 'session':
      return { version: '0', auth: null, user: serializeUser(identity.user) };
  }
}

/** `GET /api/0/users/me/regions/`: the regions holding the caller's organizations. */
async function userRegions(call: ApiCall) {
  const user = userOf(call.identity);
  const param = call.params.user;
  if (!user || (param !== 'me' && param !== String(user.id))) throw forbidden();
  const orgs = await listOrganizationsOfUser(call.ctx.db.region, user.id, { limit: 10_000, offset: 0 });
  const regions = new Set<string>();
  for (const org of orgs) {
    const mapping = await findOrgMappingById(call.ctx.db.control, org.id);
    if (mapping) regions.add(mapping.region);
  }
  return {
    regions: [...regions].sort().map((name) => ({ name, url: call.ctx.config.url })),
  };
}

export const rootRoutes: ApiRoute[] = [
  { method: 'GET', url: '/', auth: 'public', handler: apiRoot },
  { method: 'GET', url: '/users/:user/regions/', auth: PERMISSIONS.userRegions, handler: userRegions },
];
