import { expect } from 'vitest';
import { ORG_TOKEN_SCOPES, USER_TOKEN_SCOPES } from '../../../src/auth/scopes.js';
import { createOrgToken } from '../../../src/services/org-tokens.js';
import { type Harness, makeOrg, makeToken, makeUser, signIn } from '../../support/harness.js';
import type { Env } from './world.js';

/**
 * The settings of the matrices' servers: the test notification of rule-actions/ posts to a
 * receiver on loopback (route-cases/alert-rules.ts), which the server refuses by default.
 */
export const MATRIX_SETTINGS: Record<string, string> = { ERRATA_OUTBOUND_ALLOW_PRIVATE: '1' };

/**
 * The people, sessions and tokens made once per engine: the owner of the cases' organizations, an
 * outsider who owns organization B (in the other region on a two-region harness), and an expired
 * and a revoked token. `passDay` moves the
 * services' clock a day on, after the expiring token was last seen valid.
 */
export async function makeEnv(h: Harness, passDay: () => void): Promise<Env> {
  const owner = await makeUser(h.ctx, { email: 'owner@matrix.test' });
  const outsider = await makeUser(h.ctx, { email: 'outsider@matrix.test' });
  // On a two-region harness, B lives in the other region: what A holds must not reach B's callers
  // across regions either.
  const home = h.peer ?? h.ctx;
  const { org: orgB } = await makeOrg(home, outsider, 'other-b-z');
  const everything = [...USER_TOKEN_SCOPES];
  const expiredToken = await makeToken(h.ctx, owner, everything, 1);
  const orgBToken = (scopes: typeof everything, name: string) =>
    createOrgToken(home, {
      organizationId: orgB.id,
      orgSlug: orgB.slug,
      name,
      scopes,
      createdById: outsider.id,
    });
  const revoked = await orgBToken(['org:ci'], 'revoked');
  const outsiderToken = await makeToken(h.ctx, outsider, everything);
  const revoke = await h.request({
    method: 'DELETE',
    url: `/api/0/organizations/${orgB.slug}/org-auth-tokens/${revoked.record.id}/`,
    token: outsiderToken,
  });
  expect(revoke.statusCode).toBe(204);
  const fresh = await h.request({ method: 'GET', url: '/api/0/', token: expiredToken });
  expect(fresh.statusCode).toBe(200);
  passDay();
  return {
    h,
    owner,
    full: await makeToken(h.ctx, owner, everything),
    ownerSession: await signIn(h, owner.email),
    outsider,
    outsiderToken,
    outsiderSession: await signIn(h, outsider.email),
    orgB,
    orgBToken: (await orgBToken([...ORG_TOKEN_SCOPES], 'everything')).token,
    expiredToken,
    revokedOrgToken: revoked.token,
  };
}
