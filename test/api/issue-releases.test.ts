import { describe, expect, it } from 'vitest';
import { TEST_ENGINES } from '../support/engines.js';
import { newEventId } from '../support/envelopes.js';
import { makeProject } from '../support/harness.js';
import { openedForTests } from '../support/lifecycle.js';
import type { Json } from './support/api-client.js';
import { type IssueApi, ingest, MIN, openIssueApi, wholeSecondNow } from './support/issue-seed.js';

// Events linked to releases, issues resolved in a release, release search and issue activity, all
// through ingest and the API. Each test makes projects of its own in lab; release versions are
// organization-wide, so each test's versions carry its project's slug as their package.

const v = (version: string) => encodeURIComponent(version);
const iso = (ms: number) => new Date(ms).toISOString();
let seq = 0;

/** A new project in lab whose events come one minute apart, within the hour before the clock. */
async function releaseProject(w: IssueApi) {
  const slug = `rel${++seq}`;
  const { project, key } = await makeProject(w.h.ctx, w.lab, w.labTeam, slug);
  let at = w.now() - 60 * MIN;
  const times: number[] = [];
  /** Sends one error of fingerprint `fp`, naming `release` if given; answers its time. */
  const send = async (fp: string, release?: string) => {
    at += MIN;
    times.push(at);
    const event = {
      event_id: newEventId(),
      timestamp: at / 1000,
      level: 'error',
      fingerprint: [fp],
      ...(release === undefined ? {} : { release }),
      exception: { values: [{ type: 'ReleaseError', value: `${slug} ${fp}` }] },
    };
    await ingest(w.h, { id: project.id, key }, [event], 'envelope');
    return at;
  };
  const issues = async (query = '') => {
    const listed: Json[] = await w.get(`/projects/lab/${slug}/issues/?query=${encodeURIComponent(query)}`);
    return listed.map((i) => (i.title as string).replace(`ReleaseError: ${slug} `, '')).sort();
  };
  const idOf = async (fp: string) => {
    const listed: Json[] = await w.get(`/projects/lab/${slug}/issues/?query=`);
    return listed.find((i) => i.title === `ReleaseError: ${slug} ${fp}`)?.id as string;
  };
  return { project, slug, send, issues, idOf, times };
}

describe.each(TEST_ENGINES)('issues and releases on %s', (engine) => {
  // A fixed clock: activity times are checked to the millisecond.
  const NOW = wholeSecondNow();
  const w = openedForTests(() => openIssueApi(engine, () => NOW));
  const detail = (id: string) => w.get(`/organizations/lab/issues/${id}/`);
  const put = (id: string, body: Json, status = 200) =>
    w.ok(status, 'PUT', `/organizations/lab/issues/${id}/`, body);

  it('makes a release on the first event naming it, counting new issues and first and last events', async () => {
    const p = await releaseProject(w);
    const one = `${p.slug}@1.0.0`;
    const two = `${p.slug}@1.1.0`;
    const t1 = await p.send('a', one);
    await p.send('a', one);
    const t3 = await p.send('b', one);
    const t4 = await p.send('a', two);
    // A version Sentry refuses names no release: the event is kept, without one.
    await p.send('c', `${p.slug}/2.0`);
    await p.send('c', 'latest');

    const listed: Json[] = await w.get(`/projects/lab/${p.slug}/releases/`);
    expect(listed.map((r) => r.version)).toEqual([two, one]);
    const release: Json = await w.get(`/organizations/lab/releases/${v(one)}/`);
    expect(release).toMatchObject({
      version: one,
      shortVersion: '1.0.0',
      dateCreated: iso(t1),
      dateReleased: null,
      newGroups: 2,
      firstEvent: iso(t1),
      lastEvent: iso(t3),
      projects: [expect.objectContaining({ slug: p.slug, newGroups: 2 })],
    });
    expect(await w.get(`/organizations/lab/releases/${v(two)}/`)).toMatchObject({
      newGroups: 0,
      firstEvent: iso(t4),
      lastEvent: iso(t4),
    });

    // The same version from another project of the organization: one release, both projects.
    const q = await releaseProject(w);
    await q.send('z', one);
    const both: Json = await w.get(`/organizations/lab/releases/${v(one)}/`);
    expect(both.newGroups).toBe(3);
    expect(both.projects.map((x: Json) => [x.slug, x.newGroups]).sort()).toEqual([
      [p.slug, 2],
      [q.slug, 1],
    ]);
    expect(
      await w.h.ctx.db.region.selectFrom('releases').select('version').where('version', '=', one).execute(),
    ).toHaveLength(1);

    const a = await detail(await p.idOf('a'));
    expect(a.firstRelease).toMatchObject({ version: one, newGroups: 2, dateCreated: iso(t1) });
    expect(a.lastRelease).toMatchObject({ version: two, shortVersion: '1.1.0', firstEvent: iso(t4) });
    const c = await detail(await p.idOf('c'));
    expect([c.firstRelease, c.lastRelease]).toEqual([null, null]);
  });

  it('searches release:latest by version in a semver project, by date otherwise, and semver terms', async () => {
    const s = await releaseProject(w);
    const r = (version: string) => `${s.slug}@${version}`;
    await s.send('x', r('1.0.0'));
    await s.send('y', r('2.0.0'));
    await s.send('z', r('1.5.0')); // created last, but not the highest version
    await s.send('b', r('1.5.0+12'));
    expect(await s.issues('release:latest')).toEqual(['y']);
    expect(await s.issues('firstRelease:latest')).toEqual(['y']);
    expect(await s.issues('!release:latest')).toEqual(['b', 'x', 'z']);
    expect(await s.issues(`release:[latest, ${r('1.0.0')}]`)).toEqual(['x', 'y']);
    expect(await s.issues('release.version:>1.2')).toEqual(['b', 'y', 'z']);
    expect(await s.issues('release.version:<2.0.0')).toEqual(['b', 'x', 'z']);
    expect(await s.issues('release.version:1.*')).toEqual(['b', 'x', 'z']);
    expect(await s.issues(`release.version:${r('1.5.0')}`)).toEqual(['b', 'z']);
    expect(await s.issues('!release.version:1.5.0')).toEqual(['x', 'y']);
    expect(await s.issues(`release.package:${s.slug}`)).toEqual(['b', 'x', 'y', 'z']);
    expect(await s.issues('release.package:other')).toEqual([]);
    expect(await s.issues('release.build:>10')).toEqual(['b']);
    expect(await s.issues('release.build:12')).toEqual(['b']);

    const d = await releaseProject(w);
    await d.send('p', `${d.slug}-build-1`);
    await d.send('q', `${d.slug}-build-3`);
    await d.send('r', `${d.slug}-build-2`);
    expect(await d.issues('release:latest')).toEqual(['r']);
    expect(await d.issues('release.version:>0')).toEqual([]);

    // Across projects, latest is each project's own.
    const both: Json[] = await w.get(
      `/organizations/lab/issues/?project=${s.project.id}&project=${d.project.id}&query=release:latest`,
    );
    expect(both.map((i) => (i.title as string).split(' ').at(-1)).sort()).toEqual(['r', 'y']);

    const none = await releaseProject(w);
    await none.send('n');
    expect(await none.issues('release:latest')).toEqual([]);
    expect(await none.issues('!release:latest')).toEqual(['n']);

    const bad = await w.send('GET', `/projects/lab/${s.slug}/issues/?query=${v('release.version:banana')}`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().detail).toMatch(/^Error parsing search query: Invalid semantic version/);
  });

  it('resolved in the next release stays resolved for older releases and regresses on a newer one', async () => {
    const p = await releaseProject(w);
    const r = (version: string) => `${p.slug}@${version}`;
    await p.send('a', r('1.0.0'));
    await p.send('a', r('1.1.0'));
    const id = await p.idOf('a');
    const answer = await put(id, { status: 'resolvedInNextRelease' });
    expect(answer).toMatchObject({
      status: 'resolved',
      statusDetails: { inNextRelease: true, actor: { id: String(w.owner.id), email: w.owner.email } },
    });
    await p.send('a', r('1.0.0'));
    await p.send('a'); // no release: from before releases were set up
    await p.send('a', r('1.1.0')); // the release current at resolve time
    let now = await detail(id);
    expect([now.status, now.count]).toEqual(['resolved', '5']);
    expect(now.statusDetails).toEqual({
      inNextRelease: true,
      actor: expect.objectContaining({ id: String(w.owner.id) }),
    });
    expect(now.activity[0].data).toEqual({ version: '', current_release_version: r('1.1.0') });

    // A release made after the resolve settles it, as Sentry does (by date): resolved in 1.0.5. Its
    // version is older than the current one, so its events keep the issue resolved.
    await p.send('a', r('1.0.5'));
    now = await detail(id);
    expect([now.status, now.count, now.statusDetails.inRelease]).toEqual(['resolved', '6', r('1.0.5')]);
    expect(now.activity[0].data).toEqual({ version: r('1.0.5') });

    await p.send('a', r('1.2.0'));
    now = await detail(id);
    expect([now.status, now.substatus, now.statusDetails]).toEqual(['unresolved', 'regressed', {}]);
    expect(now.activity.map((x: Json) => [x.type, x.data])).toEqual([
      ['set_regression', { event_id: expect.any(String), version: r('1.2.0') }],
      ['set_resolved_in_release', { version: r('1.0.5') }],
      ['first_seen', { priority: 'high' }],
    ]);
    expect(now.activity[0]).toMatchObject({ user: null, sentry_app: null });
    expect(now.activity[1].user).toMatchObject({ id: String(w.owner.id), email: w.owner.email });
    expect(now.activity[2]).toMatchObject({ id: '0', dateCreated: now.firstSeen, user: null });

    // statusDetails.inNextRelease with status resolved is the same request.
    const again = await put(id, { status: 'resolved', statusDetails: { inNextRelease: true } });
    expect(again.statusDetails.inNextRelease).toBe(true);
    await p.send('a', r('1.2.0'));
    expect((await detail(id)).status).toBe('resolved');
  });

  it('resolved in release X regresses on a newer release, not on X or older; "latest" and plain resolves', async () => {
    const p = await releaseProject(w);
    const r = (version: string) => `${p.slug}@${version}`;
    await p.send('b', r('1.0.0'));
    await p.send('other', r('2.0.0'));
    await p.send('other', r('3.0.0'));
    const id = await p.idOf('b');
    const answer = await put(id, { status: 'resolved', statusDetails: { inRelease: r('2.0.0') } });
    expect(answer.statusDetails).toEqual({
      inRelease: r('2.0.0'),
      actor: expect.objectContaining({ id: String(w.owner.id) }),
    });
    const listed: Json[] = await w.get(`/projects/lab/${p.slug}/issues/?query=is:resolved`);
    expect(listed.map((i) => [i.id, i.statusDetails.inRelease])).toEqual([[id, r('2.0.0')]]);
    await p.send('b', r('1.0.0'));
    expect((await detail(id)).status).toBe('resolved');
    // The resolving release itself: the build the resolution names, so no regression.
    await p.send('b', r('2.0.0'));
    expect((await detail(id)).status).toBe('resolved');
    await p.send('b', r('3.0.0'));
    let now = await detail(id);
    expect([now.status, now.substatus]).toEqual(['unresolved', 'regressed']);
    expect(now.activity.slice(0, 2).map((x: Json) => [x.type, x.data.version])).toEqual([
      ['set_regression', r('3.0.0')],
      ['set_resolved_in_release', r('2.0.0')],
    ]);

    // `latest` is the release made last (by date, as Sentry's validator picks it).
    await p.send('other', r('2.5.0'));
    now = await put(id, { status: 'resolved', statusDetails: { inRelease: 'latest' } });
    expect(now.statusDetails.inRelease).toBe(r('2.5.0'));
    await p.send('b', r('3.0.0'));
    expect((await detail(id)).status).toBe('unresolved');

    // A plain resolve clears the release; any event regresses it, one of an old release too.
    await put(id, { status: 'resolved', statusDetails: { inRelease: r('3.0.0') } });
    now = await put(id, { status: 'resolved' });
    expect(now.statusDetails).toEqual({});
    await p.send('b', r('1.0.0'));
    now = await detail(id);
    expect(now.status).toBe('unresolved');
    expect(now.activity.slice(0, 3).map((x: Json) => x.type)).toEqual([
      'set_regression',
      'set_resolved',
      'set_resolved_in_release',
    ]);
  });

  it('in the next release, by date when versions are not semver', async () => {
    const p = await releaseProject(w);
    const r = (name: string) => `${p.slug}-${name}`;
    await p.send('a', r('first'));
    await p.send('a', r('second'));
    const id = await p.idOf('a');
    await put(id, { status: 'resolved', statusDetails: { inNextRelease: true } });
    await p.send('a', r('first'));
    await p.send('a', r('second'));
    expect((await detail(id)).status).toBe('resolved');
    await p.send('a', r('third'));
    expect((await detail(id)).status).toBe('unresolved');
  });

  it('a release made through the API settles "in the next release" into that release', async () => {
    const p = await releaseProject(w);
    const r = (version: string) => `${p.slug}@${version}`;
    await p.send('a', r('1.0.0'));
    const id = await p.idOf('a');
    await put(id, { status: 'resolvedInNextRelease' });
    await w.ok(201, 'POST', '/organizations/lab/releases/', { version: r('1.1.0'), projects: [p.slug] });
    let now = await detail(id);
    expect(now.statusDetails).toEqual({
      inRelease: r('1.1.0'),
      actor: expect.objectContaining({ id: String(w.owner.id) }),
    });
    expect(now.activity[0]).toMatchObject({ type: 'set_resolved_in_release', data: { version: r('1.1.0') } });
    await p.send('a', r('1.0.0'));
    expect((await detail(id)).status).toBe('resolved');
    // The next release after the one the issue was resolved in: the fix was to be in it, so an
    // event of it is a regression (as Sentry judges "in the next release").
    await p.send('a', r('1.1.0'));
    now = await detail(id);
    expect([now.status, now.activity[0].data.version]).toEqual(['unresolved', r('1.1.0')]);
  });

  it('resolved in a commit: resolved while no release holds it, then resolved in the release that does', async () => {
    const p = await releaseProject(w);
    const r = (version: string) => `${p.slug}@${version}`;
    const repository = `acme/${p.slug}`;
    const fix = `${'f'.repeat(39)}1`;
    await p.send('a', r('1.0.0'));
    const id = await p.idOf('a');
    // The fix reaches the organization with a release that then lists another commit instead.
    const releases = '/organizations/lab/releases/';
    await w.ok(201, 'POST', releases, {
      version: r('0.9.0'),
      projects: [p.slug],
      commits: [{ id: fix, repository, message: 'Fix a', author_name: 'Owner', author_email: w.owner.email }],
    });
    await w.ok(200, 'PUT', `${releases}${v(r('0.9.0'))}/`, { commits: [{ id: 'e'.repeat(40), repository }] });

    const answer = await put(id, {
      status: 'resolved',
      statusDetails: { inCommit: { commit: fix, repository } },
    });
    const commit = {
      id: fix,
      message: 'Fix a',
      repository: expect.objectContaining({ name: repository }),
      author: expect.objectContaining({ id: String(w.owner.id), email: w.owner.email }),
    };
    const actor = expect.objectContaining({ id: String(w.owner.id) });
    expect(answer.statusDetails).toEqual({ inCommit: expect.objectContaining(commit), actor });
    let now = await detail(id);
    expect(now.statusDetails).toEqual({ inCommit: expect.objectContaining(commit), actor });
    expect(now.activity[0]).toMatchObject({ type: 'set_resolved_in_commit', data: { commit } });
    // No release holds the fix yet: nothing regresses it, a new release's events neither.
    await p.send('a', r('1.0.0'));
    await p.send('a', r('2.0.0'));
    expect((await detail(id)).status).toBe('resolved');

    await w.ok(201, 'POST', releases, {
      version: r('1.1.0'),
      projects: [p.slug],
      commits: [{ id: fix, repository }],
    });
    now = await detail(id);
    expect([now.status, now.statusDetails]).toEqual(['resolved', { inRelease: r('1.1.0'), actor }]);
    await p.send('a', r('1.0.0'));
    expect((await detail(id)).status).toBe('resolved');
    await p.send('a', r('1.1.0'));
    expect((await detail(id)).status).toBe('resolved');
    await p.send('a', r('2.0.0'));
    now = await detail(id);
    expect([now.status, now.activity[0].data.version]).toEqual(['unresolved', r('2.0.0')]);

    const unknown = await w.send('PUT', `/organizations/lab/issues/${id}/`, {
      status: 'resolved',
      statusDetails: { inCommit: { commit: 'd'.repeat(40), repository } },
    });
    expect([unknown.statusCode, unknown.json().detail]).toEqual([
      400,
      'statusDetails.inCommit: Unable to find the given commit.',
    ]);
    expect((await detail(id)).status).toBe('unresolved');
  });

  it('records status changes as activity, newest first, with who made them', async () => {
    const p = await releaseProject(w);
    await p.send('a');
    const id = await p.idOf('a');
    await put(id, { status: 'resolved' });
    await put(id, { status: 'resolved' }); // no change, no entry
    await put(id, { status: 'unresolved' });
    await put(id, { status: 'ignored', statusDetails: { ignoreCount: 5 } });
    const now = await detail(id);
    expect(now.activity.map((x: Json) => x.type)).toEqual([
      'set_ignored',
      'set_unresolved',
      'set_resolved',
      'first_seen',
    ]);
    expect(now.activity[0].data).toMatchObject({ ignoreCount: 5, ignoreDuration: null, ignoreUntil: null });
    for (const entry of now.activity.slice(0, 3)) {
      expect(entry).toMatchObject({
        id: expect.stringMatching(/^\d+$/),
        user: expect.objectContaining({ id: String(w.owner.id) }),
        dateCreated: iso(w.now()),
      });
    }
  });

  it('refuses a release the project lacks, a project without releases, several projects and inCommit', async () => {
    const p = await releaseProject(w);
    const empty = await releaseProject(w);
    await p.send('a', `${p.slug}@1.0.0`);
    await empty.send('e');
    const other = await releaseProject(w);
    await other.send('o', `${other.slug}@9.0.0`);
    const id = await p.idOf('a');
    const eid = await empty.idOf('e');
    const before = await detail(id);

    const refused = async (issue: string, body: Json, detail: string, extra: Json = {}) => {
      const res = await w.send('PUT', `/organizations/lab/issues/${issue}/`, body);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json()).toMatchObject({ detail, ...extra });
    };
    await refused(
      id,
      { status: 'resolved', statusDetails: { inRelease: `${p.slug}@9.9.9` } },
      'statusDetails.inRelease: Unable to find a release with the given version.',
      { statusDetails: { inRelease: ['Unable to find a release with the given version.'] } },
    );
    // Another project's release, in the same organization.
    await refused(
      id,
      { status: 'resolved', statusDetails: { inRelease: `${other.slug}@9.0.0` } },
      'statusDetails.inRelease: Unable to find a release with the given version.',
    );
    const noReleases = "No release data present in the system to form a basis for 'Next Release'";
    await refused(eid, { status: 'resolvedInNextRelease' }, `statusDetails.inNextRelease: ${noReleases}`);
    await refused(
      eid,
      { status: 'resolved', statusDetails: { inRelease: 'latest' } },
      `statusDetails.inRelease: ${noReleases}`,
    );
    await refused(
      id,
      { status: 'resolved', statusDetails: { inCommit: { commit: 'a1b2c3', repository: 'acme/web' } } },
      'statusDetails.inCommit: Unable to find the given repository.',
      { statusDetails: { inCommit: { repository: ['Unable to find the given repository.'] } } },
    );
    await refused(
      id,
      { status: 'resolved', statusDetails: { inCommit: { repository: 'acme/web' } } },
      'statusDetails.inCommit: This field is required.',
    );
    await refused(
      id,
      { status: 'resolved', statusDetails: { inCommit: 'a1b2c3' } },
      'statusDetails.inCommit: Invalid data. Expected a dictionary, but got string.',
    );
    const bulk = await w.send(
      'PUT',
      `/organizations/lab/issues/?id=${id}&id=${eid}&project=${p.project.id}&project=${empty.project.id}`,
      { status: 'resolved', statusDetails: { inNextRelease: true } },
    );
    expect(bulk.statusCode).toBe(400);
    expect(bulk.json()).toEqual({ detail: 'Cannot set resolved in next release for multiple projects.' });

    expect(await detail(id)).toEqual(before);
    expect((await detail(eid)).status).toBe('unresolved');
  });
});
