import { AppError } from '../lib/app-error.js';
import { parseId } from '../lib/ids.js';
import { createUserToken } from '../services/user-tokens.js';
import {
  deleteUserToken,
  findUserTokenById,
  listUserTokens,
  renameUserToken,
} from '../store/control/user-tokens.js';
import type { User } from '../store/types.js';
import { forgetIdentities } from './credential-cache.js';
import { userOf } from './identity.js';
import { type ApiCall, type ApiRoute, created, noContent } from './route.js';
import { nullable, object, str, strList } from './schema.js';
import { serializeUserToken } from './serializers/tokens.js';

// Personal tokens are managed only by a signed-in person (auth: 'session'), never with a bearer
// token, as in Sentry: a leaked token cannot mint more tokens.

const me = (call: ApiCall) => userOf(call.identity) as User;

function tokenId(call: ApiCall): number {
  const id = parseId(call.params.token as string);
  if (id === null) throw new AppError('not_found', 'The requested resource does not exist');
  return id;
}

async function listTokens(call: ApiCall) {
  return (await listUserTokens(call.ctx.db.control, me(call).id)).map((t) => serializeUserToken(t));
}

async function postToken(call: ApiCall) {
  const body = call.body as { name?: string | null; scopes: string[]; expiresInDays?: number | null };
  const { token, record } = await createUserToken(call.ctx, {
    userId: me(call).id,
    scopes: body.scopes,
    name: body.name ?? null,
    expiresInDays: body.expiresInDays ?? null,
  });
  return created(call, serializeUserToken(record, token));
}

async function getToken(call: ApiCall) {
  const token = await findUserTokenById(call.ctx.db.control, me(call).id, tokenId(call));
  if (!token) throw new AppError('not_found', 'The requested resource does not exist');
  return serializeUserToken(token);
}

async function patchToken(call: ApiCall) {
  const body = call.body as Record<string, unknown>;
  const extra = Object.keys(body).filter((k) => k !== 'name');
  if (extra.length > 0)
    throw new AppError('bad_request', `Only the name of a token can be changed, not: ${extra.join(', ')}`);
  const name = typeof body.name === 'string' ? body.name.trim() || null : null;
  if (!(await renameUserToken(call.ctx.db.control, me(call).id, tokenId(call), name))) {
    throw new AppError('not_found', 'The requested resource does not exist');
  }
  forgetIdentities(call.ctx);
  return noContent(call);
}

async function removeToken(call: ApiCall) {
  if (!(await deleteUserToken(call.ctx.db.control, me(call).id, tokenId(call)))) {
    throw new AppError('not_found', 'The requested resource does not exist');
  }
  forgetIdentities(call.ctx);
  return noContent(call);
}

/** The older form: `DELETE /api-tokens/` with `{"tokenId": …}` in the body. */
async function removeTokenByBody(call: ApiCall) {
  const body = (call.body ?? {}) as { tokenId?: unknown };
  // A number or its decimal text; Number() would also turn true, [5] or "0x5" into an id.
  const raw = body.tokenId;
  const id = parseId(typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw : '');
  if (id === null)
    throw new AppError('bad_request', {
      tokenId: ['This field is required.'],
      detail: 'tokenId is required.',
    });
  if (!(await deleteUserToken(call.ctx.db.control, me(call).id, id))) {
    throw new AppError('not_found', 'The requested resource does not exist');
  }
  forgetIdentities(call.ctx);
  return noContent(call);
}

export const apiTokenRoutes: ApiRoute[] = [
  { method: 'GET', url: '/api-tokens/', auth: 'session', handler: listTokens },
  {
    method: 'POST',
    url: '/api-tokens/',
    auth: 'session',
    body: object(
      {
        name: nullable(str(255)),
        scopes: strList(64),
        expiresInDays: nullable({ type: 'integer', minimum: 1, maximum: 36_500 }),
      },
      ['scopes'],
    ),
    handler: postToken,
  },
  { method: 'DELETE', url: '/api-tokens/', auth: 'session', handler: removeTokenByBody },
  { method: 'GET', url: '/api-tokens/:token/', auth: 'session', handler: getToken },
  {
    method: 'PATCH',
    url: '/api-tokens/:token/',
    auth: 'session',
    body: object({ name: nullable(str(255)) }),
    handler: patchToken,
  },
  {
    method: 'PUT',
    url: '/api-tokens/:token/',
    auth: 'session',
    body: object({ name: nullable(str(255)) }),
    handler: patchToken,
  },
  { method: 'DELETE', url: '/api-tokens/:token/', auth: 'session', handler: removeToken },
];
