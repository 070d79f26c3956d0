import { describe, expect, it } from 'vitest';
import { TEST_ENGINES } from '../support/engines.js';
import { makeIssue } from '../support/harness.js';
import { openedForTests } from '../support/lifecycle.js';
import { type Client, ISO, type Json, link, tokenClient } from './support/api-client.js';
import { openPeople } from './support/people.js';

// Releases and deploys as a CI pipeline makes them with an organization token (scope org:ci), and
// the bad input such a pipeline may send. Every test builds its own organization.

const v = (version: string) => encodeURIComponent(version);

describe.each(TEST_ENGINES)('releases on %s', (engine) => {
  const w = openedForTests(() => openPeople(engine));

  /** An organization with two projects and a CI token (default scope). */
  async function pipeline() {
    const o = await w.owner();
    for (const name of ['web', 'api']) {
      await o.web.expect(201, 'POST', `/teams/${o.org}/${o.team}/projects/`, { name });
    }
    const token: Json = await o.web.expect(201, 'POST', `/organizations/${o.org}/org-auth-tokens/`, {
      name: 'CI',
    });
    const ci: Client = tokenClient(w.h, token.token as string);
    return { ...o, ci, releases: `/organizations/${o.org}/releases/` };
  }

  it('creates, re-creates (208, adding projects), finalizes, deploys and deletes a release', async () => {
    const o = await pipeline();
    const version = 'web@1.2.0+build.7';
    const made: Json = await o.ci.expect(201, 'POST', o.releases, {
      version,
      projects: ['web'],
      ref: 'abc123',
      url: 'https://ci.example/7',
    });
    expect(made).toMatchObject({
      version,
      shortVersion: '1.2.0+build.7',
      ref: 'abc123',
      url: 'https://ci.example/7',
      dateCreated: expect.stringMatching(ISO),
      dateReleased: null,
      newGroups: 0,
      firstEvent: null,
      lastEvent: null,
      commitCount: 0,
      authors: [],
      deployCount: 0,
      lastDeploy: null,
      projects: [expect.objectContaining({ slug: 'web', name: 'web', newGroups: 0 })],
    });

    const again: Json = await o.ci.expect(208, 'POST', o.releases, { version, projects: ['api'] });
    expect(again.dateCreated).toBe(made.dateCreated);
    expect(again.projects.map((p: Json) => p.slug).sort()).toEqual(['api', 'web']);

    const finalized: Json = await o.ci.expect(200, 'PUT', `${o.releases}${v(version)}/`, {
      dateReleased: '2026-12-06T10:00:00.123456789Z',
    });
    expect(finalized).toMatchObject({ version, ref: 'abc123', dateReleased: '2026-12-06T10:00:00.123Z' });

    const deploy: Json = await o.ci.expect(201, 'POST', `${o.releases}${v(version)}/deploys/`, {
      environment: 'production',
      name: 'deploy 7',
      url: null,
      dateStarted: null,
      dateFinished: '2026-12-06T10:05:00Z',
    });
    expect(deploy).toMatchObject({
      id: expect.any(String),
      environment: 'production',
      name: 'deploy 7',
      url: null,
      dateStarted: null,
      dateFinished: '2026-12-06T10:05:00.000Z',
    });
    const deploys: Json[] = await o.ci.expect(200, 'GET', `${o.releases}${v(version)}/deploys/`);
    expect(deploys).toEqual([deploy]);

    const detail: Json = await o.api.expect(200, 'GET', `${o.releases}${v(version)}/`);
    expect(detail).toMatchObject({ version, deployCount: 1, lastDeploy: deploy });
    const inProject: Json = await o.api.expect(200, 'GET', `/projects/${o.org}/api/releases/${v(version)}/`);
    expect(inProject.projects.map((p: Json) => p.slug)).toEqual(['api']);
    const projectList: Json[] = await o.ci.expect(200, 'GET', `/projects/${o.org}/web/releases/`);
    expect(projectList.map((r) => r.version)).toEqual([version]);

    // Sentry lets org:ci create and update releases, not delete them.
    const refused = await o.ci.send('DELETE', `${o.releases}${v(version)}/`);
    expect(refused.statusCode).toBe(403);
    await o.api.expect(204, 'DELETE', `${o.releases}${v(version)}/`);
    await o.api.expect(404, 'GET', `${o.releases}${v(version)}/`);
    expect(await o.ci.expect(200, 'GET', `${o.releases}`)).toEqual([]);
  });

  it('takes versions with spaces, @ and + in the path, and lists by version substring, newest first', async () => {
    const o = await pipeline();
    const versions = ['1.0 (42)', 'web@2.0.0', 'WEB@2.1.0', 'api@1.0.0', 'api@1_0'];
    for (const version of versions)
      await o.ci.expect(201, 'POST', o.releases, { version, projects: ['web'] });
    const spaced: Json = await o.ci.expect(200, 'GET', `${o.releases}${v('1.0 (42)')}/`);
    expect(spaced.version).toBe('1.0 (42)');
    // Sentry's query is a case-insensitive substring of the version; % and _ are plain characters.
    const web: Json[] = await o.ci.expect(200, 'GET', `${o.releases}?query=${v('web@')}`);
    expect(web.map((r) => r.version)).toEqual(['WEB@2.1.0', 'web@2.0.0']);
    const middle: Json[] = await o.ci.expect(200, 'GET', `${o.releases}?query=1.0`);
    expect(middle.map((r) => r.version)).toEqual(['api@1.0.0', 'WEB@2.1.0', '1.0 (42)']);
    const underscore: Json[] = await o.ci.expect(200, 'GET', `${o.releases}?query=1_`);
    expect(underscore.map((r) => r.version)).toEqual(['api@1_0']);
    expect(await o.ci.expect(200, 'GET', `${o.releases}?query=${v('%')}`)).toEqual([]);
  });

  it('pages through releases with the Link header and filters by project id', async () => {
    const o = await pipeline();
    for (let i = 0; i < 5; i++) {
      await o.ci.expect(201, 'POST', o.releases, { version: `1.0.${i}`, projects: [i < 2 ? 'api' : 'web'] });
    }
    const first = await o.ci.send('GET', `/api/0${o.releases}?per_page=3`);
    expect(first.json().map((r: Json) => r.version)).toEqual(['1.0.4', '1.0.3', '1.0.2']);
    const next = link(first, 'next');
    expect(next.results).toBe(true);
    const second: Json[] = await o.ci.expect(200, 'GET', next.path);
    expect(second.map((r) => r.version)).toEqual(['1.0.1', '1.0.0']);
    const projects: Json[] = await o.api.expect(200, 'GET', `/organizations/${o.org}/projects/`);
    const api = projects.find((p) => p.slug === 'api') as Json;
    const apiOnly: Json[] = await o.ci.expect(200, 'GET', `${o.releases}?project=${api.id}`);
    expect(apiOnly.map((r) => r.version)).toEqual(['1.0.1', '1.0.0']);
    const bySlug: Json[] = await o.ci.expect(200, 'GET', `${o.releases}?project=web`);
    expect(bySlug.map((r) => r.version)).toEqual(['1.0.4', '1.0.3', '1.0.2']);
    expect((await o.ci.send('GET', `${o.releases}?project=nope`)).statusCode).toBe(403);
  });

  it('counts deploys and shows the one that finished last, whatever the order they were recorded in', async () => {
    const o = await pipeline();
    await o.ci.expect(201, 'POST', o.releases, { version: '4.0', projects: ['web'] });
    await o.ci.expect(201, 'POST', o.releases, { version: '4.1', projects: ['web'] });
    const deploy = (version: string, environment: string, dateFinished: string) =>
      o.ci.expect(201, 'POST', `${o.releases}${version}/deploys/`, { environment, dateFinished });
    await deploy('4.0', 'production', '2026-12-06T12:00:00Z');
    await deploy('4.0', 'staging', '2026-12-06T09:00:00Z');
    await deploy('4.1', 'staging', '2026-12-06T10:00:00Z');
    const list: Json[] = await o.ci.expect(200, 'GET', o.releases);
    expect(list.map((r) => [r.version, r.deployCount, r.lastDeploy?.environment])).toEqual([
      ['4.1', 1, 'staging'],
      ['4.0', 2, 'production'],
    ]);
    const deploys: Json[] = await o.ci.expect(200, 'GET', `${o.releases}4.0/deploys/`);
    expect(deploys.map((d) => d.environment)).toEqual(['production', 'staging']);
  });

  it('refuses to delete a release that issues were first seen in', async () => {
    const o = await pipeline();
    await o.ci.expect(201, 'POST', o.releases, { version: '3.0.0', projects: ['web'] });
    const projects: Json[] = await o.api.expect(200, 'GET', `/organizations/${o.org}/projects/`);
    const web = projects.find((p) => p.slug === 'web') as Json;
    await makeIssue(w.h.ctx, Number(web.id), Date.now(), '3.0.0');
    const res = await o.api.send('DELETE', `${o.releases}3.0.0/`);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      detail: 'This release is referenced by active issues and cannot be removed.',
    });
    const kept: Json = await o.api.expect(200, 'GET', `${o.releases}3.0.0/`);
    expect(kept).toMatchObject({ version: '3.0.0', newGroups: 1, projects: [{ slug: 'web', newGroups: 1 }] });
  });

  describe('bad input changes nothing', () => {
    it.each([
      ['no version', { projects: ['web'] }],
      ['an empty version', { version: '', projects: ['web'] }],
      ['a blank version', { version: '  ', projects: ['web'] }],
      ['"."', { version: '.', projects: ['web'] }],
      ['".."', { version: '..', projects: ['web'] }],
      ['a slash', { version: 'web/1.0', projects: ['web'] }],
      ['a backslash', { version: 'web\\1.0', projects: ['web'] }],
      ['a newline', { version: '1.0\n2.0', projects: ['web'] }],
      ['a tab', { version: '1.0\t2.0', projects: ['web'] }],
      ['300 characters', { version: 'a'.repeat(300), projects: ['web'] }],
      ['a version that is not text', { version: 12, projects: ['web'] }],
      ['no projects', { version: '1.0' }],
      ['an empty project list', { version: '1.0', projects: [] }],
      ['an unknown project', { version: '1.0', projects: ['web', 'nope'] }],
      ['a bad date', { version: '1.0', projects: ['web'], dateReleased: 'yesterday' }],
      ['a date that is not ISO 8601', { version: '1.0', projects: ['web'], dateReleased: 'Dec 6 2026' }],
    ])('refuses a release with %s (400 with a detail)', async (_name, body) => {
      const o = await pipeline();
      const res = await o.ci.send('POST', o.releases, body);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().detail).toEqual(expect.any(String));
      expect(await o.ci.expect(200, 'GET', o.releases)).toEqual([]);
    });

    it('names the refused field as Sentry does', async () => {
      const o = await pipeline();
      const dots = await o.ci.send('POST', o.releases, { version: '..', projects: ['web'] });
      expect(dots.json()).toMatchObject({ version: ['Release with name .. is not allowed'] });
      const unknown = await o.ci.send('POST', o.releases, { version: '1.0', projects: ['nope'] });
      expect(unknown.json()).toMatchObject({ projects: ['Invalid project ids or slugs'] });
    });

    it('refuses deploys to an unknown release (404) and deploys without an environment (400)', async () => {
      const o = await pipeline();
      const missing = await o.ci.send('POST', `${o.releases}9.9.9/deploys/`, { environment: 'production' });
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toEqual({ detail: 'The requested resource does not exist' });
      await o.ci.expect(201, 'POST', o.releases, { version: '1.0', projects: ['web'] });
      for (const body of [{}, { environment: '' }, { environment: 'a/b' }, { environment: 'e'.repeat(65) }]) {
        const res = await o.ci.send('POST', `${o.releases}1.0/deploys/`, body);
        expect(res.statusCode, JSON.stringify(body)).toBe(400);
        expect(res.json().detail).toEqual(expect.any(String));
      }
      expect(await o.ci.expect(200, 'GET', `${o.releases}1.0/deploys/`)).toEqual([]);
      expect(await o.ci.expect(200, 'GET', `${o.releases}1.0/`)).toMatchObject({ deployCount: 0 });
    });

    // `..` (even as %2E%2E) never reaches the route: URL normalization removes the segment.
    it('answers 404 for versions that cannot exist in the path', async () => {
      const o = await pipeline();
      for (const version of ['a%2Fb', 'a%0Ab', 'a%09b', 'nope']) {
        const res = await o.ci.send('GET', `/api/0${o.releases}${version}/`);
        expect(res.statusCode, version).toBe(404);
      }
    });
  });
});
