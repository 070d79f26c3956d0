import { describe, expect, it } from 'vitest';
import { TEST_ENGINES } from '../support/engines.js';
import { openedForTests } from '../support/lifecycle.js';
import { ISO, type Json, link } from './support/api-client.js';
import { DAY, HOUR, openIssueWorld, WEB } from './support/issue-seed.js';

// Reading acme's seeded issues (support/issue-seed.ts) one at a time: the detail by id and short id,
// the events of an issue and their navigation, tags and hashes.

describe.each(TEST_ENGINES)('issue reads on %s', (engine) => {
  const w = openedForTests(() => openIssueWorld(engine));

  describe('issue detail, short ids and top-level paths', () => {
    it('reads one issue by id under the organization, at the top level, and by short id', async () => {
      const byOrg = await w.get(`/organizations/acme/issues/${w.ids.A}/`);
      const top = await w.get(`/issues/${w.ids.A}/`);
      expect(top).toEqual(byOrg);
      expect(byOrg).toMatchObject({
        id: w.ids.A,
        title: 'TypeError: checkout failed for cart',
        level: 'error',
        status: 'unresolved',
        count: '5',
        userCount: 3,
        firstRelease: { version: 'web@1.0.0' },
        lastRelease: { version: 'web@1.0.0' },
        project: { id: String(w.web.id), slug: 'web', name: 'web' },
        assignedTo: { type: 'user', id: String(w.owner.id), email: 'owner@acme.test' },
      });
      expect(byOrg.firstSeen).toBe(new Date(w.NOW - 10 * DAY).toISOString());
      expect(byOrg.lastSeen).toBe(new Date(w.NOW - HOUR).toISOString());
      expect(byOrg.lastSeen).toMatch(ISO);
      const short = byOrg.shortId as string;
      expect(short).toMatch(/^WEB-[0-9A-Z]+$/);
      expect((await w.get(`/organizations/acme/issues/${short}/`)).id).toBe(w.ids.A);
      expect((await w.get(`/organizations/acme/issues/${short.toLowerCase()}/`)).id).toBe(w.ids.A);
      // Short ids count the project's issues in the order they were made: E (20 days ago), then A.
      expect(short).toBe('WEB-2');
      expect((await w.get('/organizations/acme/issues/WEB-1/')).id).toBe(w.ids.E);
      expect((await w.get('/organizations/acme/issues/WEB-2/')).id).toBe(w.ids.A);
      expect(
        (await w.get(`/organizations/acme/issues/${(await w.get(`/issues/${w.ids.G}/`)).shortId}/`)).id,
      ).toBe(w.ids.G);
      for (const missing of [
        '/organizations/acme/issues/WEB-ZZZ/',
        '/organizations/acme/issues/API-1X/',
        '/issues/999999/',
      ])
        expect((await w.send('GET', missing)).statusCode, missing).toBe(404);
      // An issue of acme is not found under another organization.
      expect((await w.send('GET', `/organizations/lab/issues/${w.ids.A}/`)).statusCode).toBe(404);
      expect((await w.send('GET', `/organizations/lab/issues/WEB-1/`)).statusCode).toBe(404);
    });

    it('the detail carries tag totals, releases and the user report count', async () => {
      const detail = await w.get(`/issues/${w.ids.A}/`);
      const tags = Object.fromEntries((detail.tags as Json[]).map((t) => [t.key, t.totalValues]));
      expect(tags).toMatchObject({ browser: 5, region: 5, environment: 5, release: 5, level: 5, user: 4 });
      expect(detail.userReportCount).toBe(0);
      const b = await w.get(`/issues/${w.ids.B}/`);
      // Sentry's release object: web@1.1.0 was made by C's first event; B and C were first seen in it.
      expect(b.firstRelease).toMatchObject({
        version: 'web@1.1.0',
        shortVersion: '1.1.0',
        dateCreated: new Date(w.NOW - 5 * DAY).toISOString(),
        dateReleased: null,
        newGroups: 2,
        firstEvent: new Date(w.NOW - 5 * DAY).toISOString(),
        lastEvent: new Date(w.NOW - 2 * HOUR).toISOString(),
        projects: [expect.objectContaining({ slug: 'web', newGroups: 2 })],
      });
      expect(b.lastRelease).toEqual(b.firstRelease);
      expect(b.assignedTo).toEqual({ type: 'team', id: String(w.backend.id), name: 'backend' });
      expect((await w.get(`/issues/${w.ids.D}/`)).firstRelease).toBeNull();
    });
  });

  describe('events of an issue', () => {
    it('lists events newest first, with entries when full=true', async () => {
      const summary: Json[] = await w.get(`/organizations/acme/issues/${w.ids.A}/events/`);
      expect(summary.map((e) => e.eventID)).toEqual([...(w.eventIds.A as string[])].reverse());
      expect(summary[0]).not.toHaveProperty('entries');
      expect(summary[0]).toMatchObject({
        groupID: w.ids.A,
        projectID: String(w.web.id),
        'event.type': 'error',
      });
      const full: Json[] = await w.get(`/issues/${w.ids.A}/events/?full=true`);
      expect(full.map((e) => e.eventID)).toEqual(summary.map((e) => e.eventID));
      for (const e of full) {
        expect(e.entries.map((x: Json) => x.type)).toContain('exception');
        expect(e.release).toEqual({ version: 'web@1.0.0' });
        expect(e.environment).toBe('production');
      }
      expect(full[0]?.tags).toContainEqual({ key: 'browser', value: 'Chrome' });
      expect(full.map((e) => e.dateCreated)).toEqual(
        [10 * DAY, 6 * DAY, 2 * DAY, 5 * HOUR, HOUR]
          .map((ago) => new Date(w.NOW - ago).toISOString())
          .reverse(),
      );
      expect(full[1]?.user).toMatchObject({ id: 'u1' });
      expect(full[0]?.user).toBeNull();
    });

    it('latest, oldest and recommended, and older/newer navigation', async () => {
      const events = w.eventIds.A as string[];
      const latest = await w.get(`/organizations/acme/issues/${w.ids.A}/events/latest/`);
      const oldest = await w.get(`/issues/${w.ids.A}/events/oldest/`);
      const recommended = await w.get(`/issues/${w.ids.A}/events/recommended/`);
      expect(latest.eventID).toBe(events.at(-1));
      expect(oldest.eventID).toBe(events[0]);
      expect(events).toContain(recommended.eventID);
      expect(latest.nextEventID).toBeNull();
      expect(oldest.previousEventID).toBeNull();
      const walked = [oldest.eventID];
      let current = oldest;
      while (current.nextEventID) {
        current = await w.get(`/organizations/acme/issues/${w.ids.A}/events/${current.nextEventID}/`);
        expect(current.previousEventID).toBe(walked.at(-1));
        walked.push(current.eventID);
      }
      expect(walked).toEqual(events);
      // A dashed event id is the same event; one of another issue is not found under this one.
      const dashed = (events[2] as string).replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
      expect((await w.get(`/issues/${w.ids.A}/events/${dashed}/`)).eventID).toBe(events[2]);
      expect((await w.send('GET', `/issues/${w.ids.A}/events/${w.eventIds.B?.[0]}/`)).statusCode).toBe(404);
      expect((await w.send('GET', `/issues/${w.ids.A}/events/not-an-id/`)).statusCode).toBe(404);
    });

    it('project events list and detail, and event id resolution', async () => {
      const all: string[] = [];
      let path = '/api/0/projects/acme/web/events/?per_page=10';
      for (let guard = 0; guard < 10; guard++) {
        const res = await w.send('GET', path);
        expect(res.statusCode).toBe(200);
        all.push(...(res.json() as Json[]).map((e) => e.eventID));
        const next = link(res, 'next');
        if (!next.results) break;
        path = next.path;
      }
      const webEvents = WEB.flatMap((l) => w.eventIds[l] as string[]);
      expect(all.sort()).toEqual(webEvents.sort());
      const some = w.eventIds.C?.[1] as string;
      const detail = await w.get(`/projects/acme/web/events/${some}/`);
      expect(detail).toMatchObject({
        eventID: some,
        groupID: w.ids.C,
        projectID: String(w.web.id),
        title: 'PaymentError: card declined',
      });
      expect(detail.previousEventID).toBe(w.eventIds.C?.[0]);
      expect(detail.nextEventID).toBe(w.eventIds.C?.[2]);
      expect((await w.send('GET', `/projects/acme/api/events/${some}/`)).statusCode).toBe(404);
      const resolved = await w.get(`/organizations/acme/eventids/${some}/`);
      expect(resolved).toMatchObject({
        organizationSlug: 'acme',
        projectSlug: 'web',
        groupId: w.ids.C,
        eventId: some,
      });
      expect(resolved.event.eventID).toBe(some);
      const g = await w.get(`/organizations/acme/eventids/${w.eventIds.G?.[0]}/`);
      expect(g).toMatchObject({ projectSlug: 'api', groupId: w.ids.G });
      expect((await w.send('GET', `/organizations/acme/eventids/${'0'.repeat(32)}/`)).statusCode).toBe(404);
      expect((await w.send('GET', `/organizations/lab/eventids/${some}/`)).statusCode).toBe(404);
    });
  });

  describe('tags and hashes', () => {
    it('lists tag keys with their distribution, one key, and its values with counts', async () => {
      const tags: Json[] = await w.get(`/organizations/acme/issues/${w.ids.A}/tags/`);
      const byKey = Object.fromEntries(tags.map((t) => [t.key, t]));
      expect(Object.keys(byKey).sort()).toEqual([
        'browser',
        'environment',
        'level',
        'region',
        'release',
        'user',
      ]);
      expect(byKey.user).toMatchObject({ key: 'user', name: 'user', totalValues: 4, uniqueValues: 3 });
      expect(byKey.user.topValues.map((v: Json) => [v.value, v.count])).toEqual([
        ['id:u1', 2],
        ['id:u2', 1],
        ['id:u3', 1],
      ]);
      expect(byKey.browser.topValues).toEqual([
        {
          key: 'browser',
          name: 'Chrome',
          value: 'Chrome',
          count: 5,
          firstSeen: new Date(w.NOW - 10 * DAY).toISOString(),
          lastSeen: new Date(w.NOW - HOUR).toISOString(),
          query: 'browser:"Chrome"',
        },
      ]);
      const one = await w.get(`/issues/${w.ids.A}/tags/user/`);
      expect(one).toEqual(byKey.user);
      const values: Json[] = await w.get(`/issues/${w.ids.A}/tags/user/values/`);
      expect(values.map((v) => [v.value, v.count])).toEqual([
        ['id:u1', 2],
        ['id:u2', 1],
        ['id:u3', 1],
      ]);
      expect(values[0]?.lastSeen).toBe(new Date(w.NOW - 5 * HOUR).toISOString());
      const c: Json[] = await w.get(`/issues/${w.ids.C}/tags/user/values/`);
      expect(c.map((v) => [v.value, v.count])).toEqual([
        ['id:u4', 2],
        ['id:u5', 1],
      ]);
      expect((await w.send('GET', `/issues/${w.ids.A}/tags/nope/`)).statusCode).toBe(404);
      expect(await w.get(`/issues/${w.ids.A}/tags/nope/values/`)).toEqual([]);
    });

    it('lists the hashes of an issue with its latest event', async () => {
      const hashes: Json[] = await w.get(`/organizations/acme/issues/${w.ids.A}/hashes/`);
      expect(hashes.length).toBeGreaterThan(0);
      for (const hash of hashes) {
        expect(hash.id).toMatch(/^[0-9a-f]{32}$/);
        expect(hash.latestEvent.eventID).toBe(w.eventIds.A?.at(-1));
      }
      const latest = await w.get(`/issues/${w.ids.A}/events/latest/`);
      expect(hashes.map((x) => x.id)).toEqual(expect.arrayContaining(latest.fingerprints));
    });
  });
});
