import { describe, expect, it } from 'vitest';
import { TEST_ENGINES } from '../support/engines.js';
import { openedForTests } from '../support/lifecycle.js';
import { type Json, link } from './support/api-client.js';
import { except, LABELS, openIssueWorld } from './support/issue-seed.js';

// Paging through acme's seeded issues (support/issue-seed.ts), their events and tag values with the
// cursors of Sentry's `Link` header.

describe.each(TEST_ENGINES)('issue pagination on %s', (engine) => {
  const w = openedForTests(() => openIssueWorld(engine));

  describe('pagination', () => {
    /** Follows `rel="next"` from the first page until `results="false"`, returning every page's w.ids. */
    async function walk(firstPath: string) {
      const pages: string[][] = [];
      let path = firstPath;
      for (let guard = 0; guard < 50; guard++) {
        const res = await w.send('GET', path);
        expect(res.statusCode, res.body).toBe(200);
        pages.push((res.json() as Json[]).map((i) => i.id));
        if (guard === 0) expect(link(res, 'previous').results).toBe(false);
        const next = link(res, 'next');
        if (!next.results) return { pages, last: res };
        expect(next.path).toContain(`cursor=${next.cursor}`);
        path = next.path;
      }
      throw new Error('pagination did not end');
    }

    it('every sort, followed by Link rel="next" with a small limit, lists each issue exactly once', async () => {
      for (const sort of ['date', 'new', 'freq', 'user']) {
        for (const size of ['limit=3', 'per_page=2']) {
          const { pages } = await walk(`/api/0/organizations/acme/issues/?query=&sort=${sort}&${size}`);
          const seen = pages.flat();
          expect(new Set(seen).size, `${sort} ${size}: ${seen}`).toBe(seen.length);
          expect(seen.map((id) => w.labelOf.get(id)).sort(), `${sort} ${size}`).toEqual(LABELS);
          expect(pages.slice(0, -1).every((p) => p.length === Number(size.split('=')[1]))).toBe(true);
          // One request for the whole list gives the same order.
          const whole: Json[] = await w.get(`/organizations/acme/issues/?query=&sort=${sort}&limit=100`);
          expect(seen, sort).toEqual(whole.map((i) => i.id));
        }
      }
    });

    it('a filtered list pages the same way, and previous links lead back', async () => {
      const { pages, last } = await walk(
        '/api/0/organizations/acme/issues/?query=is:unresolved&sort=freq&limit=4',
      );
      expect(
        pages
          .flat()
          .map((id) => w.labelOf.get(id))
          .sort(),
      ).toEqual(except('C', 'E'));
      const back = link(last, 'previous');
      expect(back.results).toBe(true);
      const previous = await w.send('GET', back.path);
      expect((previous.json() as Json[]).map((i) => i.id)).toEqual(pages.at(-2));
      // The query string is kept in the links.
      expect(back.path).toContain('query=is%3Aunresolved');
      expect(back.path).toContain('sort=freq');
    });

    it('event and tag-value lists page with cursors too', async () => {
      const seen: string[] = [];
      let path = `/api/0/organizations/acme/issues/${w.ids.A}/events/?per_page=2`;
      for (let guard = 0; guard < 10; guard++) {
        const res = await w.send('GET', path);
        seen.push(...(res.json() as Json[]).map((e) => e.eventID));
        const next = link(res, 'next');
        if (!next.results) break;
        path = next.path;
      }
      expect(seen.sort()).toEqual([...(w.eventIds.A as string[])].sort());
      const first = await w.send('GET', `/api/0/issues/${w.ids.A}/tags/user/values/?per_page=1`);
      expect(first.json()).toHaveLength(1);
      expect(link(first, 'next').results).toBe(true);
    });
  });

  it('a well-formed cursor from another list is only a position: no error, no duplicates', async () => {
    // Sentry's cursors are opaque `value:offset:is_prev` strings; one taken from an offset-paged list
    // (events) is well formed, so it selects a position rather than failing.
    const events = await w.send('GET', `/api/0/organizations/acme/issues/${w.ids.A}/events/?per_page=1`);
    const foreign = link(events, 'next').cursor;
    const res = await w.send('GET', `/organizations/acme/issues/?query=&limit=100&cursor=${foreign}`);
    expect(res.statusCode).toBe(200);
    const listed = (res.json() as Json[]).map((i) => i.id);
    expect(new Set(listed).size).toBe(listed.length);
  });
});
