import { regionUrl } from '../services/regions.js';
import { listRegionsOfUser } from '../store/control/org-mappings.js';
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

/**
 * `GET /api/0/users/me/regions/`: the regions holding the caller's organizations, each with its
 * public URL (clients such as the web UI talk to an organization's region there).
 */
async function userRegions(call: ApiCall) {
  const user = userOf(call.identity);
  const param = call.params.user;
  if (!user || (param !== 'me' && param !== String(user.id))) throw forbidden();
  const names = await listRegionsOfUser(call.ctx.db.control, user.id);
  return { regions: names.map((name) => ({ name, url: regionUrl(call.ctx.config, name) })) };
}

/**
 * `GET /api/0/regions/`: every region of the deployment and its public URL, to choose one for a new
 * organization (Sentry's web app reads the same list from its client configuration).
 */
async function allRegions(call: ApiCall) {
  return { regions: call.ctx.config.regions.map((r) => ({ name: r.name, url: r.url })) };
}

export const rootRoutes: ApiRoute[] = [
  { method: 'GET', url: '/', auth: 'public', handler: apiRoot },
  { method: 'GET', url: '/users/:user/regions/', auth: PERMISSIONS.userRegions, handler: userRegions },
  { method: 'GET', url: '/regions/', auth: PERMISSIONS.regions, handler: allRegions },
];
