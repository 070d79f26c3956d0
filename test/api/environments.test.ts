import { describe, expect, it } from 'vitest';
import { postEnvelope } from '../ingest/support.js';
import { TEST_ENGINES } from '../support/engines.js';
import { envelopeOf, errorEvent, eventEnvelope } from '../support/envelopes.js';
import { openedForTests } from '../support/lifecycle.js';
import { type Json, tokenClient } from './support/api-client.js';
import { openPeople } from './support/people.js';

// Environments as events and deploys name them, hidden and shown per project, and the release
// list narrowed by environment and ordered by sessions. Every test builds its own organization.

describe.each(TEST_ENGINES)('environments on %s', (engine) => {
  const w = openedForTests(() => openPeople(engine));

  /** An organization with projects `web` and `api`, a CI token, and a way to send events to a project. */
  async function world() {
    const o = await w.owner();
    const keys = new Map<string, { id: number; key: string }>();
    for (const name of ['web', 'api']) {
      const project: Json = await o.web.expect(201, 'POST', `/teams/${o.org}/${o.team}/projects/`, { name });
      const [key]: Json[] = await o.api.expect(200, 'GET', `/projects/${o.org}/${name}/keys/`);
      keys.set(name, { id: Number(project.id), key: key?.public as string });
    }
    const token: Json = await o.web.expect(201, 'POST', `/organizations/${o.org}/org-auth-tokens/`, {
      name: 'CI',
    });
    const ci = tokenClient(w.h, token.token as string);
    async function send(project: string, body: Buffer) {
      const p = keys.get(project) as { id: number; key: string };
      const res = await postEnvelope(w.h, p.id, p.key, body);
      expect(res.statusCode, res.body).toBe(200);
    }
    const event = (project: string, fields: Record<string, unknown>) =>
      send(project, eventEnvelope(errorEvent(fields)));
    return { ...o, ci, send, event, drain: () => w.h.worker.drain() };
  }

  const names = (list: Json[]) => list.map((e) => e.name);

  it('lists the environments events and deploys named, per organization and per project', async () => {
    const o = await world();
    await o.event('web', { environment: 'production', release: 'web@1.0.0' });
    await o.event('web', { environment: 'staging' });
    await o.event('api', { environment: 'production' });
    await o.event('api', {});
    // Sentry keeps no environment with a slash; the event is stored all the same.
    await o.event('api', { environment: 'feature/x' });
    await o.drain();
    await o.ci.expect(201, 'POST', `/organizations/${o.org}/releases/`, {
      version: 'api@2',
      projects: ['api'],
    });
    await o.ci.expect(201, 'POST', `/organizations/${o.org}/releases/api@2/deploys/`, {
      environment: 'canary',
    });

    const org: Json[] = await o.api.expect(200, 'GET', `/organizations/${o.org}/environments/`);
    expect(names(org)).toEqual(['canary', 'production', 'staging']);
    expect(org[0]).toEqual({ id: expect.stringMatching(/^\d+$/), name: 'canary' });
    const web: Json[] = await o.api.expect(200, 'GET', `/projects/${o.org}/web/environments/`);
    expect(web).toEqual([
      { id: expect.any(String), name: 'production', isHidden: false },
      { id: expect.any(String), name: 'staging', isHidden: false },
    ]);
    const api: Json[] = await o.api.expect(200, 'GET', `/projects/${o.org}/api/environments/`);
    expect(names(api)).toEqual(['canary', 'production']);
    expect(org.find((e) => e.name === 'production')?.id).toBe(web[0]?.id);
    const one: Json = await o.api.expect(200, 'GET', `/projects/${o.org}/web/environments/staging/`);
    expect(one).toEqual({ id: web[1]?.id, name: 'staging', isHidden: false });
    await o.api.expect(404, 'GET', `/projects/${o.org}/web/environments/canary/`);
  });

  it('hides and shows environments of one project, which the visibility filter then reads', async () => {
    const o = await world();
    for (const environment of ['production', 'staging', 'dev']) await o.event('web', { environment });
    await o.event('api', { environment: 'staging' });
    await o.drain();
    const hidden: Json[] = await o.api.expect(200, 'PUT', `/projects/${o.org}/web/environments/`, {
      environmentNames: ['staging', 'dev'],
      isHidden: true,
    });
    expect(hidden.map((e) => [e.name, e.isHidden])).toEqual([
      ['dev', true],
      ['staging', true],
    ]);
    const project = (visibility: string) =>
      o.api.expect(200, 'GET', `/projects/${o.org}/web/environments/?visibility=${visibility}`);
    expect(names(await project('visible'))).toEqual(['production']);
    expect(names(await project('hidden'))).toEqual(['dev', 'staging']);
    expect(names(await project('all'))).toEqual(['dev', 'production', 'staging']);
    expect(names(await o.api.expect(200, 'GET', `/projects/${o.org}/web/environments/`))).toEqual([
      'production',
    ]);
    // In the organization, an environment is hidden only where every project hides it.
    const org = (visibility: string) =>
      o.api.expect(200, 'GET', `/organizations/${o.org}/environments/?visibility=${visibility}`);
    expect(names(await org('visible'))).toEqual(['production', 'staging']);
    expect(names(await org('hidden'))).toEqual(['dev']);

    const shown: Json = await o.api.expect(200, 'PUT', `/projects/${o.org}/web/environments/dev/`, {
      isHidden: false,
    });
    expect(shown).toMatchObject({ name: 'dev', isHidden: false });
    expect(names(await project('hidden'))).toEqual(['staging']);
  });

  it('refuses bad input and changes nothing', async () => {
    const o = await world();
    await o.event('web', { environment: 'production' });
    await o.drain();
    const base = `/api/0/projects/${o.org}/web/environments/`;
    const cases: [string, string, unknown, number, unknown][] = [
      [
        'GET',
        `${base}?visibility=some`,
        undefined,
        400,
        expect.objectContaining({ detail: expect.any(String) }),
      ],
      [
        'GET',
        `/api/0/organizations/${o.org}/environments/?visibility=x`,
        undefined,
        400,
        expect.objectContaining({ detail: expect.stringContaining('visibility') }),
      ],
      [
        'PUT',
        base,
        { environmentNames: ['production', 'nope'], isHidden: true },
        400,
        expect.objectContaining({ detail: 'environmentNames: Unknown environment: nope' }),
      ],
      ['PUT', base, { environmentNames: 'production', isHidden: true }, 400, expect.anything()],
      ['PUT', base, { environmentNames: ['production'] }, 400, expect.anything()],
      ['PUT', `${base}production/`, { isHidden: 'yes' }, 400, expect.anything()],
      ['PUT', `${base}nope/`, { isHidden: true }, 404, expect.anything()],
    ];
    for (const [method, url, payload, status, body] of cases) {
      const res = await o.api.send(method as 'GET', url, payload);
      expect(res.statusCode, `${method} ${url}`).toBe(status);
      expect(res.json()).toEqual(body);
    }
    const after: Json[] = await o.api.expect(
      200,
      'GET',
      `/projects/${o.org}/web/environments/?visibility=all`,
    );
    expect(after.map((e) => [e.name, e.isHidden])).toEqual([['production', false]]);
  });

  it('narrows the release list by environment and orders it by sessions', async () => {
    const o = await world();
    const releases = `/organizations/${o.org}/releases/`;
    for (const version of ['1.0', '2.0', '3.0']) {
      await o.ci.expect(201, 'POST', releases, { version, projects: ['web'] });
    }
    await o.event('web', { environment: 'production', release: '1.0' });
    await o.ci.expect(201, 'POST', `${releases}2.0/deploys/`, { environment: 'staging' });
    const started = new Date().toISOString();
    const session = (release: string, environment: string) => ({
      type: 'session',
      payload: {
        sid: crypto.randomUUID(),
        init: true,
        started,
        status: 'ok',
        attrs: { release, environment },
      },
    });
    await o.send(
      'web',
      envelopeOf([session('1.0', 'production'), session('3.0', 'staging'), session('3.0', 'staging')]),
    );
    await o.drain();

    const list = async (query: string) =>
      ((await o.ci.expect(200, 'GET', `${releases}?${query}`)) as Json[]).map((r) => r.version);
    expect(await list('environment=production')).toEqual(['1.0']);
    expect(await list('environment=staging')).toEqual(['2.0']);
    expect(await list('environment=staging&environment=production')).toEqual(['2.0', '1.0']);
    expect(await list('environment=nowhere')).toEqual([]);
    expect(await list('sort=date')).toEqual(['3.0', '2.0', '1.0']);
    expect(await list('sort=sessions')).toEqual(['3.0', '1.0', '2.0']);
    expect(await list('sort=sessions&environment=production')).toEqual(['1.0']);
    expect(await o.ci.expect(200, 'GET', `/projects/${o.org}/web/releases/?environment=staging`)).toEqual([
      expect.objectContaining({ version: '2.0' }),
    ]);
    const bad = await o.ci.send('GET', `/api/0${releases}?sort=popularity`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ detail: 'invalid sort: use one of date, sessions' });
  });
});
