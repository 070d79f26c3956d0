import { describe, expect, it } from 'vitest';
import { TEST_ENGINES } from '../support/engines.js';
import { openedForTests } from '../support/lifecycle.js';
import { type Json, qs } from './support/api-client.js';
import { labProject, MIN, openIssueApi, openIssueWorld, wholeSecondNow } from './support/issue-seed.js';

// Changing issues through the API, each test on a project of its own in lab (support/issue-seed.ts):
// status and ignore conditions woken through ingest, assignment, per-user flags, bulk changes,
// deletion and merge.

describe.each(TEST_ENGINES)('issue changes on %s', (engine) => {
  const w = openedForTests(() => openIssueWorld(engine));

  const detail = (id: string, token?: string) => w.get(`/organizations/lab/issues/${id}/`, token);

  it('resolves, unresolves and ignores one issue, and a timed ignore ends after its minutes', async () => {
    // This test moves time: on a harness and a clock of its own.
    let clock = wholeSecondNow();
    const own = await openIssueApi(engine, () => clock);
    try {
      const p = await labProject(own, { a: {} });
      const id = p.issue.a;
      const detail = (issue: string) => own.get(`/organizations/lab/issues/${issue}/`);
      let body = await own.ok(200, 'PUT', `/organizations/lab/issues/${id}/`, { status: 'resolved' });
      expect(body).toMatchObject({ id, status: 'resolved', statusDetails: {} });
      expect((await detail(id)).status).toBe('resolved');
      body = await own.ok(200, 'PUT', `/issues/${id}/`, { status: 'unresolved' });
      expect(body).toMatchObject({ status: 'unresolved', substatus: 'ongoing' });
      body = await own.ok(200, 'PUT', `/organizations/lab/issues/${id}/`, {
        status: 'ignored',
        statusDetails: { ignoreDuration: 30 },
      });
      expect(body).toMatchObject({
        status: 'ignored',
        substatus: 'archived_until_condition_met',
        statusDetails: { ignoreUntil: new Date(clock + 30 * MIN).toISOString() },
      });
      // Top-level ignoreDuration works the same.
      body = await own.ok(200, 'PUT', `/organizations/lab/issues/${id}/`, {
        status: 'ignored',
        ignoreDuration: 30,
      });
      expect(body.statusDetails).toEqual({ ignoreUntil: new Date(clock + 30 * MIN).toISOString() });
      await p.send('a');
      expect((await detail(id)).status).toBe('ignored');
      clock += 31 * MIN;
      await p.send('a');
      const woke = await detail(id);
      expect([woke.status, woke.statusDetails]).toEqual(['unresolved', {}]);
      expect(woke.count).toBe('3');
      // 'muted' is Sentry's older name for ignored; for ever when no condition is given.
      body = await own.ok(200, 'PUT', `/issues/${id}/`, { status: 'muted' });
      expect(body).toMatchObject({ status: 'ignored', substatus: 'archived_forever', statusDetails: {} });
      await p.send('a');
      expect((await detail(id)).status).toBe('ignored');
    } finally {
      await own.close();
    }
  });

  it('an issue ignored until N more events wakes on the N-th, through ingest', async () => {
    const p = await labProject(w, { a: { count: 2 } });
    const id = p.issue.a;
    const body = await w.ok(200, 'PUT', `/organizations/lab/issues/${id}/`, {
      status: 'ignored',
      statusDetails: { ignoreCount: 3 },
    });
    expect(body).toMatchObject({ status: 'ignored', statusDetails: { ignoreCount: 3 } });
    await p.send('a');
    await p.send('a');
    let now = await detail(id);
    expect([now.status, now.count, now.statusDetails]).toEqual(['ignored', '4', { ignoreCount: 3 }]);
    await p.send('a');
    now = await detail(id);
    expect([now.status, now.substatus, now.count]).toEqual(['unresolved', 'escalating', '5']);
    expect(
      (await w.get(`/projects/lab/${p.slug}/issues/?query=is:unresolved`)).map((i: Json) => i.id),
    ).toEqual([id]);
  });

  it('an issue ignored until N more users wakes on the N-th new user, not on repeat users', async () => {
    const p = await labProject(w, { a: { count: 1, users: ['x1'] } });
    const id = p.issue.a;
    const body = await w.ok(200, 'PUT', `/issues/${id}/`, {
      status: 'ignored',
      statusDetails: { ignoreUserCount: 2 },
    });
    expect(body.statusDetails).toEqual({ ignoreUserCount: 2 });
    await p.send('a', 'x1');
    await p.send('a', 'x2');
    await p.send('a');
    await p.send('a', 'x2');
    expect((await detail(id)).status).toBe('ignored');
    await p.send('a', 'x3');
    const now = await detail(id);
    expect([now.status, now.userCount]).toEqual(['unresolved', 3]);
  });

  it('assigns to a member (by id or email) and to a team, and clears', async () => {
    const p = await labProject(w, { a: {} });
    const id = p.issue.a;
    const put = (assignedTo: string | null) =>
      w.ok(200, 'PUT', `/organizations/lab/issues/${id}/`, { assignedTo });
    expect((await put(`user:${w.owner.id}`)).assignedTo).toEqual({
      type: 'user',
      id: String(w.owner.id),
      name: w.owner.name,
      email: 'owner@acme.test',
    });
    expect((await w.get(`/projects/lab/${p.slug}/issues/?query=assigned:me`)).map((i: Json) => i.id)).toEqual(
      [id],
    );
    expect((await put('owner@acme.test')).assignedTo.id).toBe(String(w.owner.id));
    expect((await put(`team:${w.labTeam.id}`)).assignedTo).toEqual({
      type: 'team',
      id: String(w.labTeam.id),
      name: w.labTeam.slug,
    });
    expect(
      (
        await w.get(
          `/projects/lab/${p.slug}/issues/?query=${encodeURIComponent(`assigned:#${w.labTeam.slug}`)}`,
        )
      ).map((i: Json) => i.id),
    ).toEqual([id]);
    expect((await put('')).assignedTo).toBeNull();
    expect(await w.get(`/projects/lab/${p.slug}/issues/?query=is:assigned`)).toEqual([]);
    await put(`team:${w.labTeam.slug}`);
    expect((await put(null)).assignedTo).toBeNull();
    // Mira is no member of lab; acme's team is not lab's.
    const notMember = await w.send('PUT', `/organizations/lab/issues/${id}/`, {
      assignedTo: `user:${w.mira.id}`,
    });
    expect(notMember.statusCode).toBe(400);
    expect((notMember.json() as Json).assignedTo).toEqual(['Cannot assign to non-team member']);
    const otherTeam = await w.send('PUT', `/issues/${id}/`, { assignedTo: `team:${w.backend.id}` });
    expect(otherTeam.statusCode).toBe(400);
    expect((await detail(id)).assignedTo).toBeNull();
  });

  it('hasSeen and isBookmarked belong to each user', async () => {
    const put = (label: string, body: Json, token?: string) =>
      w.ok(200, 'PUT', `/organizations/acme/issues/${w.ids[label]}/`, body, token);
    const d = await put('D', { hasSeen: true, isBookmarked: true });
    expect([d.hasSeen, d.isBookmarked]).toEqual([true, true]);
    const asMira = await w.get(`/issues/${w.ids.D}/`, w.miraToken);
    expect([asMira.hasSeen, asMira.isBookmarked]).toEqual([false, false]);
    expect(await w.search('bookmarks:me')).toEqual(['D']);
    expect(await w.search('bookmarks:me', w.miraToken)).toEqual([]);
    await put('F6', { isBookmarked: true }, w.miraToken);
    expect(await w.search('bookmarks:me', w.miraToken)).toEqual(['F6']);
    expect(await w.search('bookmarks:me')).toEqual(['D']);
    const listed: Json[] = await w.get('/organizations/acme/issues/?query=level:info');
    expect([listed[0]?.hasSeen, listed[0]?.isBookmarked]).toEqual([true, true]);
    const listedForMira: Json[] = await w.get('/organizations/acme/issues/?query=level:info', w.miraToken);
    expect([listedForMira[0]?.hasSeen, listedForMira[0]?.isBookmarked]).toEqual([false, false]);
    const undone = await put('D', { hasSeen: false, isBookmarked: false });
    expect([undone.hasSeen, undone.isBookmarked]).toEqual([false, false]);
    await put('F6', { isBookmarked: false }, w.miraToken);
    expect(await w.search('bookmarks:me')).toEqual([]);
    expect(await w.search('bookmarks:me', w.miraToken)).toEqual([]);
  });

  it('bulk PUT by ids and by query, on organization and project lists', async () => {
    const p = await labProject(w, { a: {}, b: { level: 'warning' }, c: { level: 'warning' }, d: {} });
    const { a, b, c, d } = p.issue;
    const byIds = await w.ok(200, 'PUT', `/organizations/lab/issues/?id=${a}&id=${d}`, { status: 'ignored' });
    expect(byIds).toMatchObject({ status: 'ignored', substatus: 'archived_forever', statusDetails: {} });
    expect((await detail(a)).status).toBe('ignored');
    expect((await detail(d)).status).toBe('ignored');
    expect((await detail(b)).status).toBe('unresolved');
    const byQuery = await w.ok(
      200,
      'PUT',
      `/organizations/lab/issues/?${qs({ query: 'level:warning', project: String(p.project.id) })}`,
      { status: 'resolved' },
    );
    expect(byQuery.status).toBe('resolved');
    expect([(await detail(b)).status, (await detail(c)).status]).toEqual(['resolved', 'resolved']);
    expect([(await detail(a)).status, (await detail(d)).status]).toEqual(['ignored', 'ignored']);
    // The project list takes ?id= and sentry-cli's ?status=.
    await w.ok(200, 'PUT', `/projects/lab/${p.slug}/issues/?id=${a}`, { status: 'unresolved' });
    expect((await detail(a)).status).toBe('unresolved');
    await w.ok(200, 'PUT', `/projects/lab/${p.slug}/issues/?status=resolved`, { status: 'unresolved' });
    expect([(await detail(b)).status, (await detail(c)).status]).toEqual(['unresolved', 'unresolved']);
    expect((await detail(d)).status).toBe('ignored');
    await w.ok(200, 'PUT', `/organizations/lab/issues/?id=${a}&id=${b}`, {
      assignedTo: `user:${w.owner.id}`,
      isBookmarked: true,
    });
    expect((await detail(b)).assignedTo.id).toBe(String(w.owner.id));
    expect((await detail(a)).isBookmarked).toBe(true);
    // Nothing matches: 204, nothing changes; acme's issues are not lab's.
    const none = await w.send(
      'PUT',
      `/organizations/lab/issues/?query=${encodeURIComponent('level:fatal')}`,
      { status: 'resolved' },
    );
    expect(none.statusCode).toBe(204);
    const foreign = await w.send('PUT', `/organizations/lab/issues/?id=${w.ids.A}`, { status: 'resolved' });
    expect(foreign.statusCode).toBe(204);
    expect((await w.get(`/issues/${w.ids.A}/`)).status).toBe('unresolved');
  });

  it('bulk DELETE by ids and by query', async () => {
    const p = await labProject(w, { a: {}, b: {}, c: { level: 'warning' }, d: {} });
    const { a, b, c, d } = p.issue;
    const res = await w.send('DELETE', `/organizations/lab/issues/?id=${a}&id=${b}`);
    expect(res.statusCode).toBe(204);
    for (const gone of [a, b]) expect((await w.send('GET', `/issues/${gone}/`)).statusCode).toBe(404);
    expect((await detail(c)).id).toBe(c);
    const byQuery = await w.send('DELETE', `/projects/lab/${p.slug}/issues/?query=level:warning`);
    expect(byQuery.statusCode).toBe(204);
    expect((await w.send('GET', `/issues/${c}/`)).statusCode).toBe(404);
    expect((await w.get(`/projects/lab/${p.slug}/issues/?query=`)).map((i: Json) => i.id)).toEqual([d]);
    // A deleted issue's events go with it; its fingerprint makes a new issue.
    expect((await w.send('GET', `/projects/lab/${p.slug}/events/${p.sent.a?.[0]}/`)).statusCode).toBe(404);
    await p.send('a');
    const again: Json[] = await w.get(`/projects/lab/${p.slug}/issues/?query=`);
    expect(again).toHaveLength(2);
    expect(again.map((i) => i.id)).not.toContain(a);
  });

  it('merges several issues: events, counts, users and tags move to the parent', async () => {
    const p = await labProject(w, {
      big: { count: 3, users: ['m1', 'm2', 'm1'] },
      mid: { count: 2, users: ['m2', 'm3'] },
      small: { count: 1, users: ['m4'] },
      other: {},
    });
    const { big, mid, small, other } = p.issue;
    const merged = await w.ok(200, 'PUT', `/organizations/lab/issues/?id=${big}&id=${mid}&id=${small}`, {
      merge: 1,
    });
    expect(merged.merge.parent).toBe(big);
    expect([...merged.merge.children].sort()).toEqual([mid, small].sort());
    for (const child of [mid, small]) {
      expect((await w.send('GET', `/issues/${child}/`)).statusCode).toBe(404);
      expect((await w.send('GET', `/organizations/lab/issues/${child}/events/`)).statusCode).toBe(404);
    }
    const parent = await detail(big);
    expect([parent.count, parent.userCount]).toEqual(['6', 4]);
    const events: Json[] = await w.get(`/issues/${big}/events/`);
    expect(events.map((e) => e.eventID).sort()).toEqual(
      [...(p.sent.big as string[]), ...(p.sent.mid as string[]), ...(p.sent.small as string[])].sort(),
    );
    for (const e of events) expect(e.groupID).toBe(big);
    const fpValues: Json[] = await w.get(`/issues/${big}/tags/fp/values/`);
    expect(fpValues.map((v) => [v.value, v.count])).toEqual([
      ['big', 3],
      ['mid', 2],
      ['small', 1],
    ]);
    const users: Json[] = await w.get(`/issues/${big}/tags/user/values/`);
    expect(users.map((v) => v.value).sort()).toEqual(['id:m1', 'id:m2', 'id:m3', 'id:m4']);
    expect((await w.get(`/issues/${big}/hashes/`)).length).toBeGreaterThanOrEqual(3);
    // The event id resolves to the parent now.
    expect((await w.get(`/organizations/lab/eventids/${p.sent.small?.[0]}/`)).groupId).toBe(big);
    // A new event with a child's fingerprint lands in the parent.
    await p.send('small', 'm5');
    const after = await detail(big);
    expect([after.count, after.userCount]).toEqual(['7', 5]);
    const listed: Json[] = await w.get(`/projects/lab/${p.slug}/issues/?query=`);
    expect(listed.map((i) => i.id).sort()).toEqual([big, other].sort());
    // Merging needs two issues of one project.
    const lonely = await w.send('PUT', `/organizations/lab/issues/?id=${other}`, { merge: 1 });
    expect(lonely.statusCode).toBe(400);
    const onDetail = await w.send('PUT', `/issues/${other}/`, { merge: 1 });
    expect(onDetail.statusCode).toBe(400);
    const q = await labProject(w, { z: {} });
    const across = await w.send('PUT', `/organizations/lab/issues/?id=${other}&id=${q.issue.z}`, {
      merge: 1,
    });
    expect(across.statusCode).toBe(400);
  });

  it('updates and deletes one issue at the top level and by short id', async () => {
    const p = await labProject(w, { a: {}, b: {} });
    const { a, b } = p.issue;
    const short = (await detail(a)).shortId as string;
    expect(short.startsWith(`${p.slug.toUpperCase()}-`)).toBe(true);
    const bySlug = await w.ok(200, 'PUT', `/organizations/lab/issues/${short}/`, {
      status: 'resolved',
      priority: 'low',
    });
    expect(bySlug).toMatchObject({ id: a, status: 'resolved', priority: 'low' });
    const top = await w.ok(200, 'PUT', `/issues/${a}/`, { isPublic: true });
    expect(top).toMatchObject({ status: 'resolved', isPublic: true, priority: 'low' });
    const gone = await w.send('DELETE', `/issues/${a}/`);
    expect(gone.statusCode).toBe(202);
    expect((await w.send('GET', `/issues/${a}/`)).statusCode).toBe(404);
    expect((await w.send('GET', `/organizations/lab/issues/${short}/`)).statusCode).toBe(404);
    const shortB = (await detail(b)).shortId as string;
    expect((await w.send('DELETE', `/organizations/lab/issues/${shortB}/`)).statusCode).toBe(202);
    expect((await w.send('GET', `/organizations/lab/issues/${b}/`)).statusCode).toBe(404);
    expect((await w.send('DELETE', `/issues/${b}/`)).statusCode).toBe(404);
  });
});
