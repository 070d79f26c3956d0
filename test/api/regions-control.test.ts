import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_TOKEN_SCOPES } from '../../src/auth/scopes.js';
import { createOrgToken } from '../../src/services/org-tokens.js';
import { createOrganization } from '../../src/services/organizations.js';
import { reconcileRegionMappings } from '../../src/services/region-mappings.js';
import { TEST_ENGINES } from '../support/engines.js';
import { makeToken, makeUser } from '../support/harness.js';
import { type Deployment, startRegions } from '../support/regions.js';
import type { Body } from './support/api-client.js';

// What the control side knows of the regions' organizations, on two real nodes over one control
// database: who belongs where follows invites, departures and renames made in a region, so that any
// node lists a person's organizations without reading a region; a start repairs what a failure
// between the two writes left; tokens carry their organization's region; and a checked token is
// trusted for the cache time only.

interface Answer {
  readonly status: number;
  readonly body: Body;
  readonly cookies: string;
}

async function call(
  base: string,
  method: string,
  path: string,
  auth: { token?: string; cookie?: string; csrf?: string } = {},
  body?: unknown,
): Promise<Answer> {
  const res = await fetch(`${base}/api/0/${path}`, {
    method,
    signal: AbortSignal.timeout(10_000),
    headers: {
      ...(auth.token ? { authorization: `Bearer ${auth.token}` } : {}),
      ...(auth.cookie ? { cookie: auth.cookie } : {}),
      ...(auth.csrf ? { 'x-csrftoken': auth.csrf } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text ? JSON.parse(text) : null,
    cookies: res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; '),
  };
}

const slugsOf = (answer: Answer) =>
  (answer.body as { slug: string; name: string }[]).map((o) => `${o.slug}:${o.name}`).sort();

describe.each(TEST_ENGINES)('the control side of two regions on %s', (engine) => {
  let d: Deployment;

  beforeAll(async () => {
    // A long cache, so that what is trusted from it shows.
    d = await startRegions(engine, { ERRATA_AUTH_CACHE_SECONDS: '60' });
  });
  afterAll(() => d?.close());

  it('lists the organizations a person joins and leaves in the EU region on the US node', async () => {
    const ctx = d.eu.server.ctx;
    const owner = await makeUser(ctx);
    const dev = await makeUser(ctx);
    const ownerToken = await makeToken(ctx, owner, [...USER_TOKEN_SCOPES]);
    const devToken = await makeToken(ctx, dev, ['org:read']);
    await createOrganization(ctx, { name: 'Club', slug: 'club', owner });

    expect(slugsOf(await call(d.us.url, 'GET', 'organizations/', { token: ownerToken }))).toEqual([
      'club:Club',
    ]);
    expect((await call(d.us.url, 'GET', 'organizations/', { token: devToken })).body).toEqual([]);

    const invited = await call(
      d.us.url,
      'POST',
      'organizations/club/members/',
      { token: ownerToken },
      {
        email: dev.email,
        orgRole: 'member',
      },
    );
    expect(invited.status).toBe(201);
    const login = await call(
      d.us.url,
      'POST',
      'auth/login/',
      {},
      { username: dev.email, password: 'correct horse battery' },
    );
    expect(login.status).toBe(200);
    const session = { cookie: login.cookies, csrf: login.body.csrfToken as string };
    const path = new URL(invited.body.invite_link as string).pathname.replace(
      /^\/accept\//,
      'accept-invite/',
    );
    expect((await call(d.us.url, 'POST', path.replace(/^\//, ''), session)).status).toBe(204);
    expect(slugsOf(await call(d.us.url, 'GET', 'organizations/', { token: devToken }))).toEqual([
      'club:Club',
    ]);
    expect((await call(d.us.url, 'GET', 'users/me/regions/', { token: devToken })).body).toEqual({
      regions: [{ name: 'eu', url: d.eu.url }],
    });

    // Renamed in its region: listed by its new slug and name everywhere.
    const renamed = await call(
      d.us.url,
      'PUT',
      'organizations/club/',
      { token: ownerToken },
      {
        name: 'Chess Club',
        slug: 'chess-club',
      },
    );
    expect(renamed.status).toBe(200);
    expect(slugsOf(await call(d.us.url, 'GET', 'organizations/', { token: devToken }))).toEqual([
      'chess-club:Chess Club',
    ]);

    const members = await call(d.us.url, 'GET', 'organizations/chess-club/members/', { token: ownerToken });
    const member = (members.body as { id: string; email: string }[]).find((m) => m.email === dev.email);
    expect(
      (
        await call(d.us.url, 'DELETE', `organizations/chess-club/members/${member?.id}/`, {
          token: ownerToken,
        })
      ).status,
    ).toBe(204);
    expect((await call(d.us.url, 'GET', 'organizations/', { token: devToken })).body).toEqual([]);
    expect((await call(d.us.url, 'GET', 'users/me/regions/', { token: devToken })).body).toEqual({
      regions: [],
    });
  });

  it('repairs at start the mappings a failure between the region and the control store left behind', async () => {
    const ctx = d.eu.server.ctx;
    const owner = await makeUser(ctx);
    const token = await makeToken(ctx, owner, ['org:read']);
    const { organization } = await createOrganization(ctx, { name: 'Lost', slug: 'lost-mapping', owner });
    // As if the control write had failed after the region's: no membership, a stale name.
    await ctx.db.control
      .deleteFrom('org_member_mappings')
      .where('organization_id', '=', organization.id)
      .execute();
    await ctx.db.control
      .updateTable('org_mappings')
      .set({ name: 'stale' })
      .where('id', '=', organization.id)
      .execute();
    expect((await call(d.us.url, 'GET', 'organizations/', { token })).body).toEqual([]);

    const report = await reconcileRegionMappings(ctx);
    expect(report.added).toBeGreaterThanOrEqual(1);
    expect(report.renamed).toBeGreaterThanOrEqual(1);
    expect(slugsOf(await call(d.us.url, 'GET', 'organizations/', { token }))).toEqual(['lost-mapping:Lost']);
    // A second run finds nothing to do.
    expect(await reconcileRegionMappings(ctx)).toEqual({ added: 0, removed: 0, renamed: 0 });
    // The US node's own reconciliation leaves the EU region's mappings alone.
    expect(await reconcileRegionMappings(d.us.server.ctx)).toEqual({ added: 0, removed: 0, renamed: 0 });
    expect(slugsOf(await call(d.us.url, 'GET', 'organizations/', { token }))).toEqual(['lost-mapping:Lost']);
  });

  it('keeps each store to its own tables, and slugs unique across regions', async () => {
    // The tables of the store's own schema (a PostgreSQL test database holds every test's schemas).
    const tables = async <DB>(db: Kysely<DB>) => {
      if (engine === 'sqlite') return (await db.introspection.getTables()).map((t) => t.name);
      const { rows } = await sql<{ name: string }>`select table_name as name from information_schema.tables
        where table_schema = current_schema()`.execute(db);
      return rows.map((r) => r.name);
    };
    const { db } = d.eu.server.ctx;
    expect(await tables(db.control)).toEqual(
      expect.arrayContaining(['users', 'org_mappings', 'org_member_mappings']),
    );
    expect(await tables(db.control)).not.toContain('events');
    expect(await tables(db.control)).not.toContain('projects');
    expect(await tables(db.region)).toEqual(expect.arrayContaining(['events', 'projects', 'members']));
    expect(await tables(db.region)).not.toContain('users');
    expect(await tables(db.region)).not.toContain('user_tokens');

    const owner = await makeUser(d.us.server.ctx);
    const token = await makeToken(d.us.server.ctx, owner, [...USER_TOKEN_SCOPES]);
    const first = await call(
      d.us.url,
      'POST',
      'organizations/',
      { token },
      { name: 'Twin', slug: 'twin', region: 'eu' },
    );
    expect(first.status).toBe(201);
    for (const node of [d.us, d.eu]) {
      const again = await call(node.url, 'POST', 'organizations/', { token }, { name: 'Twin', slug: 'twin' });
      expect(again.status).toBe(409);
      expect(again.body.detail).toBe('An organization with this slug already exists.');
    }
  });

  it("mints organization tokens that carry their organization's region URL, whichever node mints them", async () => {
    const owner = await makeUser(d.us.server.ctx);
    const { organization } = await createOrganization(d.eu.server.ctx, { name: 'Mint', slug: 'mint', owner });
    // Minted by the US node's services (as `errata org-token create` run there would).
    const { token } = await createOrgToken(d.us.server.ctx, {
      organizationId: organization.id,
      orgSlug: organization.slug,
      name: 'ci',
      scopes: ['org:read'],
      createdById: owner.id,
    });
    const payload = JSON.parse(Buffer.from(token.split('_')[1] as string, 'base64').toString());
    expect(payload).toMatchObject({ org: 'mint', url: d.eu.url, region_url: d.eu.url });
    const listed = await call(d.us.url, 'GET', 'organizations/', { token });
    expect(listed.body.map((o: { slug: string; links: unknown }) => [o.slug, o.links])).toEqual([
      ['mint', { organizationUrl: d.eu.url, regionUrl: d.eu.url }],
    ]);
  });

  it('trusts a checked token for the cache time on other nodes, and forgets it at once where it is revoked', async () => {
    const ctx = d.us.server.ctx;
    const owner = await makeUser(ctx);
    const login = await call(
      d.us.url,
      'POST',
      'auth/login/',
      {},
      { username: owner.email, password: 'correct horse battery' },
    );
    const session = { cookie: login.cookies, csrf: login.body.csrfToken as string };
    const made = await call(d.us.url, 'POST', 'api-tokens/', session, { scopes: ['org:read'] });
    expect(made.status).toBe(201);
    const token = made.body.token as string;
    expect((await call(d.eu.url, 'GET', 'organizations/', { token })).status).toBe(200);
    expect((await call(d.eu.url, 'DELETE', `api-tokens/${made.body.id}/`, session)).status).toBe(204);
    // Revoked on the EU node: refused there at once; the US node, which never checked it, refuses it too.
    expect((await call(d.eu.url, 'GET', 'organizations/', { token })).status).toBe(401);
    expect((await call(d.us.url, 'GET', 'organizations/', { token })).status).toBe(401);

    const second = await call(d.us.url, 'POST', 'api-tokens/', session, { scopes: ['org:read'] });
    const other = second.body.token as string;
    expect((await call(d.eu.url, 'GET', 'organizations/', { token: other })).status).toBe(200);
    expect((await call(d.us.url, 'DELETE', `api-tokens/${second.body.id}/`, session)).status).toBe(204);
    expect((await call(d.us.url, 'GET', 'organizations/', { token: other })).status).toBe(401);
    // The EU node checked it a moment ago and trusts it until its cache time (60 s here) passes.
    expect((await call(d.eu.url, 'GET', 'organizations/', { token: other })).status).toBe(200);
  });
});
