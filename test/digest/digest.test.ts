import type { Updateable } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IssueTable } from '../../src/store/schema.js';
import { ingestProject, postEnvelope, postStore } from '../ingest/support.js';
import { TEST_ENGINES } from '../support/engines.js';
import { envelopeOf, errorEvent } from '../support/envelopes.js';
import { createHarness, type Harness, makeProject } from '../support/harness.js';

describe.each(TEST_ENGINES)('digest on %s', (engine) => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness(engine);
  });
  afterAll(() => h.close());

  async function send(projectId: number, publicKey: string, event: Record<string, unknown>) {
    const r = await postEnvelope(h, projectId, publicKey, envelopeOf([{ type: 'event', payload: event }]));
    expect(r.statusCode, r.body).toBe(200);
  }

  /** Puts an issue in a state a test starts from (as triage through the API would). */
  const setIssue = (id: number, values: Updateable<IssueTable>) =>
    h.ctx.db.region.updateTable('issues').set(values).where('id', '=', id).execute();
  const issuesOf = (projectId: number) =>
    h.ctx.db.region
      .selectFrom('issues')
      .selectAll()
      .where('project_id', '=', projectId)
      .orderBy('id')
      .execute();
  const eventsOf = (projectId: number) =>
    h.ctx.db.region
      .selectFrom('events')
      .selectAll()
      .where('project_id', '=', projectId)
      .orderBy('id')
      .execute();

  const frames = (fn: string, line: number) => ({
    values: [
      {
        type: 'TypeError',
        value: `boom at ${line}`,
        stacktrace: {
          frames: [
            {
              filename: '/app/server.js',
              module: 'server',
              function: 'handle',
              lineno: 10 + line,
              in_app: true,
            },
            { filename: '/app/orders.js', module: 'orders', function: fn, lineno: line, in_app: true },
          ],
        },
      },
    ],
  });

  it('groups the same error into one issue; another function or a custom fingerprint makes its own', async () => {
    const { project, key } = await ingestProject(h);
    await send(project.id, key.publicKey, errorEvent({ exception: frames('loadOrder', 42) }));
    await send(project.id, key.publicKey, errorEvent({ exception: frames('loadOrder', 57) }));
    await send(project.id, key.publicKey, errorEvent({ exception: frames('saveOrder', 42) }));
    await send(project.id, key.publicKey, errorEvent({ fingerprint: ['payments-down'], message: 'a' }));
    await send(
      project.id,
      key.publicKey,
      errorEvent({ fingerprint: ['payments-down'], exception: frames('other', 1) }),
    );
    await h.worker.drain();
    const issues = await issuesOf(project.id);
    expect(issues.map((i) => [i.short_id, i.times_seen, i.title])).toEqual([
      [1, 2, 'TypeError: boom at 42'],
      [2, 1, 'TypeError: boom at 42'],
      [3, 2, 'TypeError: Cannot read properties of undefined (reading "id")'],
    ]);
    expect(issues[0]?.culprit).toBe('loadOrder(orders)');
    const events = await eventsOf(project.id);
    expect(events).toHaveLength(5);
    expect(events.map((e) => e.issue_id)).toEqual([
      issues[0]?.id,
      issues[0]?.id,
      issues[1]?.id,
      issues[2]?.id,
      issues[2]?.id,
    ]);
  });

  it('stores a repeated event id once and counts it once', async () => {
    const { project, key } = await ingestProject(h);
    const event = errorEvent();
    await send(project.id, key.publicKey, event);
    await send(project.id, key.publicKey, event);
    await postStore(h, project.id, key.publicKey, event);
    await h.worker.drain();
    expect(await eventsOf(project.id)).toHaveLength(1);
    expect((await issuesOf(project.id))[0]?.times_seen).toBe(1);
  });

  it('counts users, tag values and first/last seen', async () => {
    const { project, key } = await ingestProject(h);
    const t0 = Date.now() / 1000 - 60;
    await send(
      project.id,
      key.publicKey,
      errorEvent({
        timestamp: t0,
        user: { id: 'u1' },
        tags: { region: 'eu' },
        release: 'web@1.0.0',
        environment: 'production',
      }),
    );
    await send(
      project.id,
      key.publicKey,
      errorEvent({ timestamp: t0 + 30, user: { id: 'u2' }, tags: [['region', 'us']], release: 'web@1.0.1' }),
    );
    await send(
      project.id,
      key.publicKey,
      errorEvent({ timestamp: t0 + 10, user: { id: 'u1' }, tags: { region: 'eu' } }),
    );
    await h.worker.drain();
    const [issue] = await issuesOf(project.id);
    expect(issue).toMatchObject({
      times_seen: 3,
      user_count: 2,
      first_release: 'web@1.0.0',
      last_release: 'web@1.0.1',
    });
    expect(issue?.first_seen).toBe(Math.round(t0 * 1000));
    expect(issue?.last_seen).toBe(Math.round((t0 + 30) * 1000));
    const tags = await h.ctx.db.region
      .selectFrom('issue_tags')
      .select(['key', 'value', 'times_seen'])
      .where('issue_id', '=', issue!.id)
      .where('key', 'in', ['region', 'release', 'user', 'environment', 'level'])
      .orderBy('key')
      .orderBy('value')
      .execute();
    expect(tags).toEqual([
      { key: 'environment', value: 'production', times_seen: 1 },
      { key: 'level', value: 'error', times_seen: 3 },
      { key: 'region', value: 'eu', times_seen: 2 },
      { key: 'region', value: 'us', times_seen: 1 },
      { key: 'release', value: 'web@1.0.0', times_seen: 1 },
      { key: 'release', value: 'web@1.0.1', times_seen: 1 },
      { key: 'user', value: 'id:u1', times_seen: 2 },
      { key: 'user', value: 'id:u2', times_seen: 1 },
    ]);
  });

  it('regresses a resolved issue on a new event; an ignored one wakes only when its condition ends', async () => {
    const { project, key } = await ingestProject(h);
    const resolvedEvent = () => errorEvent({ exception: frames('pay', 1) });
    const ignoredEvent = () => errorEvent({ exception: frames('ship', 1) });
    const foreverEvent = () => errorEvent({ exception: frames('bill', 1) });
    for (const make of [resolvedEvent, ignoredEvent, foreverEvent])
      await send(project.id, key.publicKey, make());
    await h.worker.drain();
    const [paid, shipped, billed] = await issuesOf(project.id);
    await setIssue(paid!.id, { status: 'resolved', substatus: null, resolved_at: Date.now() });
    await setIssue(shipped!.id, {
      status: 'ignored',
      substatus: 'archived_until_condition_met',
      ignore_count: 3,
      ignore_count_base: 1,
    });
    await setIssue(billed!.id, { status: 'ignored', substatus: 'archived_forever' });

    await send(project.id, key.publicKey, resolvedEvent());
    await send(project.id, key.publicKey, ignoredEvent());
    await send(project.id, key.publicKey, ignoredEvent());
    await send(project.id, key.publicKey, foreverEvent());
    await h.worker.drain();
    let [a, b, c] = await issuesOf(project.id);
    expect([a?.status, a?.substatus]).toEqual(['unresolved', 'regressed']);
    expect([b?.status, b?.times_seen]).toEqual(['ignored', 3]);
    expect([c?.status, c?.substatus]).toEqual(['ignored', 'archived_forever']);

    await send(project.id, key.publicKey, ignoredEvent());
    await h.worker.drain();
    [a, b, c] = await issuesOf(project.id);
    expect([b?.status, b?.substatus, b?.times_seen]).toEqual(['unresolved', 'escalating', 4]);
  });

  it('decides status event by event inside one batch: an ignore that ends mid-batch stays ended', async () => {
    const { project, key } = await ingestProject(h);
    const byCount = () => errorEvent({ exception: frames('count', 1) });
    const byUsers = (user: string) => errorEvent({ exception: frames('users', 1), user: { id: user } });
    await send(project.id, key.publicKey, byCount());
    await send(project.id, key.publicKey, byUsers('u0'));
    await h.worker.drain();
    const [counted, users] = await issuesOf(project.id);
    // Wakes on the 2nd event after the ignore, and on the 2nd new user.
    await setIssue(counted!.id, {
      status: 'ignored',
      substatus: 'archived_until_condition_met',
      ignore_count: 2,
      ignore_count_base: 1,
    });
    await setIssue(users!.id, {
      status: 'ignored',
      substatus: 'archived_until_condition_met',
      ignore_user_count: 2,
      ignore_user_base: 1,
    });
    // One drain, one batch: three events of the first issue; users u1, u1 again, u0 (old), u2.
    for (let i = 0; i < 3; i++) await send(project.id, key.publicKey, byCount());
    for (const user of ['u1', 'u1', 'u0']) await send(project.id, key.publicKey, byUsers(user));
    await h.worker.drain();
    let [a, b] = await issuesOf(project.id);
    expect([a?.status, a?.substatus, a?.times_seen, a?.ignore_count]).toEqual([
      'unresolved',
      'escalating',
      4,
      null,
    ]);
    expect([b?.status, b?.times_seen, b?.user_count]).toEqual(['ignored', 4, 2]);
    await send(project.id, key.publicKey, byUsers('u1'));
    await send(project.id, key.publicKey, byUsers('u2'));
    await h.worker.drain();
    [a, b] = await issuesOf(project.id);
    expect([b?.status, b?.substatus, b?.times_seen, b?.user_count]).toEqual([
      'unresolved',
      'escalating',
      6,
      3,
    ]);
  });

  it('wakes an issue ignored until a time once that time has passed', async () => {
    const { project, key } = await ingestProject(h);
    await send(project.id, key.publicKey, errorEvent());
    await h.worker.drain();
    const [issue] = await issuesOf(project.id);
    await setIssue(issue!.id, { status: 'ignored', ignore_until: Date.now() + 3_600_000 });
    await send(project.id, key.publicKey, errorEvent());
    await h.worker.drain();
    expect((await issuesOf(project.id))[0]?.status).toBe('ignored');
    await setIssue(issue!.id, { ignore_until: Date.now() - 1 });
    await send(project.id, key.publicKey, errorEvent());
    await h.worker.drain();
    expect((await issuesOf(project.id))[0]?.status).toBe('unresolved');
  });

  it('drops a broken event but digests the rest of its envelope', async () => {
    const { project, key } = await ingestProject(h);
    const body = Buffer.concat([
      Buffer.from('{}\n{"type":"event"}\n{"broken":\n'),
      envelopeOf([{ type: 'event', payload: errorEvent() }]).subarray(3),
    ]);
    const r = await postEnvelope(h, project.id, key.publicKey, body);
    expect(r.statusCode).toBe(200);
    await h.worker.drain();
    expect(await eventsOf(project.id)).toHaveLength(1);
  });
  it('makes each release a batch names once, linked to its projects and dated by its first event', async () => {
    const { org, team, project, key } = await ingestProject(h);
    const second = await makeProject(h.ctx, org, team);
    const now = Math.floor(Date.now() / 1000);
    const at = (minutesAgo: number) => now - minutesAgo * 60;
    // One drain, one batch: web@1 from both projects, web@2, and a version Sentry refuses.
    await send(project.id, key.publicKey, errorEvent({ release: 'web@1', timestamp: at(5) }));
    await send(project.id, key.publicKey, errorEvent({ release: 'web@1', timestamp: at(9) }));
    await send(second.project.id, second.key.publicKey, errorEvent({ release: 'web@1', timestamp: at(7) }));
    await send(project.id, key.publicKey, errorEvent({ release: 'web@2', timestamp: at(1) }));
    await send(project.id, key.publicKey, errorEvent({ release: 'web/3', timestamp: at(1) }));
    await h.worker.drain();
    const releases = await h.ctx.db.region
      .selectFrom('releases')
      .select(['id', 'version', 'date_created'])
      .where('organization_id', '=', org.id)
      .orderBy('version')
      .execute();
    expect(releases.map((r) => r.version)).toEqual(['web@1', 'web@2']);
    expect(releases[0]?.date_created).toBe(at(9) * 1000);
    const links = await h.ctx.db.region
      .selectFrom('release_projects')
      .select(['release_id', 'project_id'])
      .where(
        'release_id',
        'in',
        releases.map((r) => r.id),
      )
      .orderBy('release_id')
      .orderBy('project_id')
      .execute();
    expect(links).toEqual([
      { release_id: releases[0]?.id, project_id: project.id },
      { release_id: releases[0]?.id, project_id: second.project.id },
      { release_id: releases[1]?.id, project_id: project.id },
    ]);
    const events = await eventsOf(project.id);
    expect(events.map((e) => e.release)).toEqual(['web@1', 'web@1', 'web@2', null]);
    // Known releases make nothing new.
    await send(project.id, key.publicKey, errorEvent({ release: 'web@2' }));
    await h.worker.drain();
    expect(
      await h.ctx.db.region
        .selectFrom('releases')
        .select('id')
        .where('organization_id', '=', org.id)
        .execute(),
    ).toHaveLength(2);
  });

  it('decides a resolution in a release event by event in one batch, and records the regression', async () => {
    const { project, key } = await ingestProject(h);
    await send(project.id, key.publicKey, errorEvent({ release: 'app@1.0.0' }));
    await send(project.id, key.publicKey, errorEvent({ release: 'app@2.0.0' }));
    await h.worker.drain();
    const [issue] = await issuesOf(project.id);
    const v2 = await h.ctx.db.region
      .selectFrom('releases')
      .select('id')
      .where('version', '=', 'app@2.0.0')
      .executeTakeFirstOrThrow();
    await setIssue(issue!.id, {
      status: 'resolved',
      substatus: null,
      resolution_type: 'in_release',
      resolution_release_id: v2.id,
    });
    // Older, none, the resolving release itself, then a newer one, then older again: one regression.
    for (const release of ['app@1.0.0', undefined, 'app@2.0.0', 'app@2.1.0', 'app@1.0.0']) {
      await send(project.id, key.publicKey, errorEvent(release ? { release } : {}));
    }
    await h.worker.drain();
    const [after] = await issuesOf(project.id);
    expect([after?.status, after?.substatus, after?.times_seen, after?.resolution_type]).toEqual([
      'unresolved',
      'regressed',
      7,
      null,
    ]);
    const activity = await h.ctx.db.region
      .selectFrom('issue_activity')
      .select(['type', 'data', 'user_id'])
      .where('issue_id', '=', issue!.id)
      .execute();
    expect(activity.map((a) => [a.type, JSON.parse(a.data).version, a.user_id])).toEqual([
      ['set_regression', 'app@2.1.0', null],
    ]);
  });
});
