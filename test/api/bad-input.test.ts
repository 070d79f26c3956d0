import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../src/api/routes.js';
import { USER_TOKEN_SCOPES } from '../../src/auth/scopes.js';
import { createOrgToken } from '../../src/services/org-tokens.js';
import { createUserToken } from '../../src/services/user-tokens.js';
import { postStore } from '../ingest/support.js';
import { TEST_ENGINES } from '../support/engines.js';
import {
  createHarness,
  type Harness,
  makeOrg,
  makeProject,
  makeToken,
  makeUser,
  signIn,
} from '../support/harness.js';

import { FIELD_CASES } from './bad-input/fields.js';
import {
  type BadCase,
  BODY_CASES,
  ID_CASES,
  MAX_BODY,
  PAGE_CASES,
  routeKey,
  VALID_BODY,
  type World,
} from './bad-input/generated.js';
import { orgSnapshot } from './support/snapshot.js';

// Bad requests to every endpoint that takes a body or an id: each gets a clear 4xx with a `detail`,
// and nothing changes (everything both organizations hold, their issues and events included, is
// read back and compared).

const CASES = [...BODY_CASES, ...ID_CASES, ...PAGE_CASES, ...FIELD_CASES];

describe.each(TEST_ENGINES)('bad input on %s', (engine) => {
  let h: Harness;
  let w: World;

  beforeAll(async () => {
    h = await createHarness(engine, { ERRATA_API_MAX_BODY_BYTES: String(MAX_BODY) });
    const owner = await makeUser(h.ctx, { email: 'owner@bad.test' });
    const other = await makeUser(h.ctx, { email: 'other@bad.test' });
    const { org, team } = await makeOrg(h.ctx, owner, 'acme');
    await makeOrg(h.ctx, owner, 'taken-org');
    const { key } = await makeProject(h.ctx, org, team, 'web');
    await makeProject(h.ctx, org, team, 'api');
    const full = await makeToken(h.ctx, owner, [...USER_TOKEN_SCOPES]);
    const backend = await h.request({
      method: 'POST',
      url: '/api/0/organizations/acme/teams/',
      token: full,
      payload: { slug: 'backend' },
    });
    expect(backend.statusCode).toBe(201);
    const invited = await h.request({
      method: 'POST',
      url: '/api/0/organizations/acme/members/',
      token: full,
      payload: { email: 'invitee@bad.test', teams: ['backend'] },
    });
    expect(invited.statusCode).toBe(201);
    const invitee = invited.json() as { id: string; invite_link: string };
    const orgToken = await createOrgToken(h.ctx, {
      organizationId: org.id,
      orgSlug: 'acme',
      name: 'ci',
      scopes: ['org:ci'],
      createdById: owner.id,
    });
    const userToken = await createUserToken(h.ctx, { userId: owner.id, scopes: ['org:read'], name: 'spare' });
    const eventId = 'e'.repeat(32);
    /** One error event, through ingest: an issue with an event (every organization gets one). */
    const storeError = async (k: typeof key, id: string) => {
      const event = {
        event_id: id,
        level: 'error',
        exception: { values: [{ type: 'Error', value: 'boom' }] },
      };
      expect((await postStore(h, k.projectId, k.publicKey, event)).statusCode).toBe(200);
    };
    await storeError(key, eventId);
    await h.worker.drain();
    const issues = await h.request({ method: 'GET', url: '/api/0/projects/acme/web/issues/', token: full });
    const issueId = (issues.json() as { id: string }[])[0]?.id as string;

    const release = 'web@1.0.0+build 1';
    const made = await h.request({
      method: 'POST',
      url: '/api/0/organizations/acme/releases/',
      token: full,
      payload: { version: release, projects: ['web'], commits: [{ id: 'abc123', repository: 'origin' }] },
    });
    expect(made.statusCode).toBe(201);
    // Names environment "production" in project "web".
    const deployed = await h.request({
      method: 'POST',
      url: `/api/0/organizations/acme/releases/${encodeURIComponent(release)}/deploys/`,
      token: full,
      payload: { environment: 'production' },
    });
    expect(deployed.statusCode).toBe(201);

    const { org: bee, team: beeTeam } = await makeOrg(h.ctx, other, 'bee');
    const { project: beeProject, key: beeKey } = await makeProject(h.ctx, bee, beeTeam, 'bee-web');
    await storeError(beeKey, 'b'.repeat(32));
    await h.worker.drain();
    const otherFull = await makeToken(h.ctx, other, [...USER_TOKEN_SCOPES]);
    const beeMember = await h.request({
      method: 'POST',
      url: '/api/0/organizations/bee/members/',
      token: otherFull,
      payload: { email: 'bee-invitee@bad.test' },
    });
    const beeOrgToken = await createOrgToken(h.ctx, {
      organizationId: bee.id,
      orgSlug: 'bee',
      name: 'bee ci',
      scopes: ['org:ci'],
      createdById: other.id,
    });
    const beeRelease = await h.request({
      method: 'POST',
      url: '/api/0/organizations/bee/releases/',
      token: otherFull,
      payload: {
        version: 'bee-1.0',
        projects: ['bee-web'],
        commits: [{ id: 'bee123', repository: 'bee-repo' }],
      },
    });
    expect(beeRelease.statusCode).toBe(201);
    const repoIdOf = async (org: string, token: string) => {
      const repos = await h.request({ method: 'GET', url: `/api/0/organizations/${org}/repos/`, token });
      return (repos.json() as { id: string }[])[0]?.id as string;
    };
    const beeUserToken = await createUserToken(h.ctx, {
      userId: other.id,
      scopes: ['org:read'],
      name: 'bee',
    });
    const ruleIdOf = async (org: string, project: string, token: string) => {
      const rules = await h.request({
        method: 'GET',
        url: `/api/0/projects/${org}/${project}/rules/`,
        token,
      });
      return (rules.json() as { id: string }[])[0]?.id as string;
    };
    // A monitor of "acme" (and one of "bee", whose slug "acme" must not reach).
    const monitorConfig = { schedule_type: 'crontab', schedule: '0 3 * * *' };
    for (const [org, project, slug, token] of [
      ['acme', 'web', 'nightly', full],
      ['bee', 'bee-web', 'bee-nightly', otherFull],
    ] as const) {
      const monitor = await h.request({
        method: 'POST',
        url: `/api/0/organizations/${org}/monitors/`,
        token,
        payload: { project, name: slug, slug, config: monitorConfig },
      });
      expect(monitor.statusCode).toBe(201);
    }
    w = {
      ownerEmail: owner.email,
      full,
      session: await signIn(h, owner.email),
      otherFull,
      otherSession: await signIn(h, other.email),
      key: key.publicKey,
      inviteeId: invitee.id,
      inviteToken: invitee.invite_link.split('/').filter(Boolean).at(-1) as string,
      orgTokenId: String(orgToken.record.id),
      userTokenId: String(userToken.record.id),
      issueId,
      eventId,
      release: encodeURIComponent(release),
      repoId: await repoIdOf('acme', full),
      ruleId: await ruleIdOf('acme', 'web', full),
      bee: {
        teamId: String(beeTeam.id),
        projectId: String(beeProject.id),
        key: beeKey.publicKey,
        memberId: (beeMember.json() as { id: string }).id,
        orgTokenId: String(beeOrgToken.record.id),
        userTokenId: String(beeUserToken.record.id),
        repoId: await repoIdOf('bee', otherFull),
        ruleId: await ruleIdOf('bee', 'bee-web', otherFull),
      },
    };
  });
  afterAll(() => h?.close());

  /** Everything both organizations and both people hold, their issues and events included. */
  async function snapshot(): Promise<unknown> {
    const [acme, bee] = await Promise.all([
      orgSnapshot(h, 'acme', w.full, w.session),
      orgSnapshot(h, 'bee', w.otherFull, w.otherSession),
    ]);
    return { acme, bee };
  }

  async function send(c: BadCase): Promise<LightMyRequestResponse> {
    const as = c.as ?? 'token';
    const headers: Record<string, string> =
      as === 'token'
        ? { authorization: `Bearer ${w.full}` }
        : as === 'session'
          ? { ...w.session.headers }
          : {};
    const options: InjectOptions = { method: c.method, url: c.url(w), headers };
    if (c.raw !== undefined) {
      headers['content-type'] = 'application/json';
      options.payload = c.raw;
    } else if (c.body !== undefined) {
      options.payload = (typeof c.body === 'function' ? c.body(w) : c.body) as Record<string, unknown>;
    }
    return h.app.inject(options);
  }

  it('has a valid body for every route that validates one', () => {
    const missing = API_ROUTES.filter((r) => r.body && VALID_BODY[routeKey(r)] === undefined).map(routeKey);
    expect(missing, 'add a body each of these routes accepts to VALID_BODY').toEqual([]);
  });

  /**
   * What the world held after the last case that wrote: the next case's "before". Every case must
   * leave the world as it found it, so one read per case (after it) is enough. It is read before
   * any expectation, so a case that changed something fails alone and becomes the next baseline.
   */
  let baseline: unknown;

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    baseline ??= await snapshot();
    const before = baseline;
    const res = await send(c);
    // GET handlers write nothing (a token's last-used time aside), so only the others are re-read.
    const after = c.method === 'GET' ? before : await snapshot();
    baseline = after;
    expect(res.statusCode, res.body).toBe(c.status);
    const body = res.json() as { detail?: unknown };
    if (c.detail instanceof RegExp) {
      expect(typeof body.detail).toBe('string');
      expect(body.detail).toMatch(c.detail);
    } else {
      expect(body.detail).toEqual(c.detail);
    }
    expect(after).toEqual(before);
  });
});
