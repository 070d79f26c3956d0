import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_EVENT_TAGS } from '../../src/protocol/event-tags.js';
import { MAX_QUERY_TERMS } from '../../src/protocol/issue-query.js';
import { MAX_ISSUE_TAG_KEYS } from '../../src/store/region/issue-tags.js';
import { ingestProject, postEnvelope, postStore } from '../ingest/support.js';
import { TEST_ENGINES } from '../support/engines.js';
import { errorEvent } from '../support/envelopes.js';
import { createHarness, type Harness, makeToken } from '../support/harness.js';

// What one client can send that used to hold the server or break a reader: an event with tens of
// thousands of tags (then the issue's tag summary), an event nested thousands of levels deep (then
// its event views), and a search with a thousand terms. Each goes through the real doors.

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field, checked by expect().
type Json = Record<string, any>;

/** `{ a: { a: … { a: leaf } } }`, `depth` objects deep, built without recursion. */
function nested(depth: number, leaf: unknown = 'bottom'): unknown {
  let value: unknown = leaf;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

/** The same as JSON text, for bodies too deep for JSON.stringify. */
function nestedText(depth: number): string {
  return `${'{"a":'.repeat(depth)}"bottom"${'}'.repeat(depth)}`;
}

describe.each(TEST_ENGINES)('abusive input on %s', (engine) => {
  let h: Harness;
  let p: Awaited<ReturnType<typeof ingestProject>>;
  let token: string;

  beforeAll(async () => {
    h = await createHarness(engine);
    p = await ingestProject(h);
    token = await makeToken(h.ctx, p.user, ['org:read', 'project:read', 'event:read']);
  });
  afterAll(() => h?.close());

  const get = (url: string) => h.request({ method: 'GET', url: `/api/0${url}`, token });

  async function issueOf(eventId: string): Promise<string> {
    const res = await get(`/organizations/${p.org.slug}/eventids/${eventId}/`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().groupId as string;
  }

  it('an event with 20,000 tags keeps a bounded number, and the tag summary stays bounded', async () => {
    const tags = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, `v${i}`]));
    const event = errorEvent({ tags, fingerprint: ['many-tags'] });
    const res = await postStore(h, p.project.id, p.key.publicKey, event);
    expect(res.statusCode, res.body).toBe(200);
    // A second event of the issue with other keys: the issue has more keys than one event may bring.
    const more = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`m${i}`, 'x']));
    const second = errorEvent({ tags: more, fingerprint: ['many-tags'] });
    expect((await postStore(h, p.project.id, p.key.publicKey, second)).statusCode).toBe(200);
    await h.worker.drain();
    const issue = await issueOf(event.event_id);

    const started = performance.now();
    const summary = await get(`/issues/${issue}/tags/`);
    const elapsed = performance.now() - started;
    console.log(
      `[figures] ${engine}: GET tags/ of an issue with 20,000-tag events: ${elapsed.toFixed(0)} ms`,
    );
    expect(summary.statusCode, summary.body).toBe(200);
    const keys = summary.json() as Json[];
    expect(keys.length).toBeLessThanOrEqual(MAX_ISSUE_TAG_KEYS);
    for (const key of keys) expect(key.topValues.length).toBeLessThanOrEqual(9);
    const level = keys.find((k) => k.key === 'level');
    expect(level).toMatchObject({ totalValues: 2, uniqueValues: 1 });
    expect(level?.topValues.map((v: Json) => [v.value, v.count])).toEqual([['error', 2]]);
    expect((await get(`/issues/${issue}/tags/level/`)).json()).toEqual(level);
    const detail = await get(`/projects/${p.org.slug}/${p.project.slug}/events/${event.event_id}/`);
    expect(detail.statusCode, detail.body).toBe(200);
    const kept = (detail.json().tags as Json[]).filter((t) => /^k\d+$/.test(t.key));
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThanOrEqual(MAX_EVENT_TAGS);
    const errors = detail.json().errors as Json[];
    expect(errors.some((e) => e.data?.name === 'tags')).toBe(true);
  });

  it('the tag summary of an issue with 20,000 keys is bounded and quick', async () => {
    // As many events as it takes, each within MAX_EVENT_TAGS, bring an issue this many keys.
    const event = errorEvent({ fingerprint: ['wide-issue'] });
    expect((await postStore(h, p.project.id, p.key.publicKey, event)).statusCode).toBe(200);
    await h.worker.drain();
    const issue = await issueOf(event.event_id);
    const rows = Array.from({ length: 20_000 }, (_, i) => ({
      issue_id: Number(issue),
      key: `key${i}`,
      value: `value${i % 7}`,
      times_seen: 1 + (i % 13),
      first_seen: 1,
      last_seen: 2,
    }));
    for (let i = 0; i < rows.length; i += 500)
      await h.ctx.db.region
        .insertInto('issue_tags')
        .values(rows.slice(i, i + 500))
        .execute();

    const started = performance.now();
    const summary = await get(`/issues/${issue}/tags/`);
    const elapsed = performance.now() - started;
    console.log(`[figures] ${engine}: GET tags/ of an issue with 20,000 tag keys: ${elapsed.toFixed(0)} ms`);
    expect(summary.statusCode, summary.body).toBe(200);
    const keys = summary.json() as Json[];
    expect(keys).toHaveLength(MAX_ISSUE_TAG_KEYS);
    // The most seen keys are the ones kept (times_seen 13 for key12, key25, …), listed by key.
    expect(keys.every((k) => k.totalValues >= 12 || ['level', 'handled', 'mechanism'].includes(k.key))).toBe(
      true,
    );
    expect(keys.map((k) => k.key)).toEqual(keys.map((k) => k.key).sort());
    expect((await get(`/issues/${issue}/tags/key12/`)).json()).toMatchObject({
      key: 'key12',
      totalValues: 13,
      uniqueValues: 1,
      topValues: [{ value: 'value5', count: 13 }],
    });
    // The issue's detail names the same bounded set of keys.
    const detail = await get(`/issues/${issue}/`);
    expect(detail.statusCode, detail.body).toBe(200);
    expect((detail.json().tags as Json[]).map((t) => t.key)).toEqual(keys.map((k) => k.key));
  });

  for (const via of ['store', 'envelope'] as const) {
    it(`an event nested 20,000 levels deep through ${via} is stored trimmed and reads back`, async () => {
      const eventId = crypto.randomUUID().replace(/-/g, '');
      const head = JSON.stringify(errorEvent({ event_id: eventId, fingerprint: [`deep-${via}`] }));
      // The deep part in extra and in a context, spliced into the text (JSON.stringify would overflow).
      const text = `${head.slice(0, -1)},"extra":{"deep":${nestedText(20_000)}},"contexts":{"deep":${nestedText(20_000)}}}`;
      const body = Buffer.from(text);
      const res =
        via === 'store'
          ? await h.app.inject({
              method: 'POST',
              url: `/api/${p.project.id}/store/`,
              payload: body,
              headers: {
                'content-type': 'application/json',
                'x-sentry-auth': `Sentry sentry_key=${p.key.publicKey}, sentry_version=7`,
              },
            })
          : await postEnvelope(
              h,
              p.project.id,
              p.key.publicKey,
              Buffer.concat([
                Buffer.from(`{}\n{"type":"event","length":${body.length}}\n`),
                body,
                Buffer.from('\n'),
              ]),
            );
      expect(res.statusCode, res.body).toBe(200);
      await h.worker.drain();
      const issue = await issueOf(eventId);

      const detail = await get(`/projects/${p.org.slug}/${p.project.slug}/events/${eventId}/`);
      expect(detail.statusCode, detail.body).toBe(200);
      const context = detail.json().context as Json;
      let depth = 0;
      for (let node: unknown = context.deep; typeof node === 'object' && node !== null; depth++)
        node = (node as Json).a;
      expect(depth).toBeGreaterThan(0);
      expect(depth).toBeLessThan(20);
      for (const url of [
        `/issues/${issue}/`,
        `/issues/${issue}/events/`,
        `/issues/${issue}/events/latest/`,
        `/issues/${issue}/tags/`,
        `/organizations/${p.org.slug}/issues/?query=`,
      ]) {
        const r = await get(url);
        expect(r.statusCode, `${url}: ${r.body.slice(0, 200)}`).toBe(200);
      }
    });
  }

  it("the tag summary follows the issue's new events", async () => {
    const first = errorEvent({ tags: { shard: 'a' }, fingerprint: ['followed'] });
    expect((await postStore(h, p.project.id, p.key.publicKey, first)).statusCode).toBe(200);
    await h.worker.drain();
    const issue = await issueOf(first.event_id);
    const values = async () =>
      ((await get(`/issues/${issue}/tags/shard/`)).json().topValues as Json[]).map((v) => [v.value, v.count]);
    expect(await values()).toEqual([['a', 1]]);
    expect(await values()).toEqual([['a', 1]]);
    const second = errorEvent({ tags: { shard: 'b' }, fingerprint: ['followed'] });
    expect((await postStore(h, p.project.id, p.key.publicKey, second)).statusCode).toBe(200);
    await h.worker.drain();
    expect(await values()).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
    const keys = ((await get(`/issues/${issue}/tags/`)).json() as Json[]).find((k) => k.key === 'shard');
    expect(keys).toMatchObject({ totalValues: 2, uniqueValues: 2 });
  });

  it('trims huge strings and wide objects in free-form data', async () => {
    const wide = Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i]));
    const event = errorEvent({ extra: { wide, long: 'x'.repeat(200_000), list: nested(3, []) } });
    expect((await postStore(h, p.project.id, p.key.publicKey, event)).statusCode).toBe(200);
    await h.worker.drain();
    const detail = await get(`/projects/${p.org.slug}/${p.project.slug}/events/${event.event_id}/`);
    expect(detail.statusCode, detail.body).toBe(200);
    const context = detail.json().context as Json;
    expect(Object.keys(context.wide).length).toBeLessThan(5_000);
    expect(context.long.length).toBeLessThan(200_000);
    expect(context.long.endsWith('...')).toBe(true);
    expect(context.list).toEqual({ a: { a: { a: [] } } });
  });

  it('a search with 1,000 terms is a 400 with a detail, not a 500', async () => {
    const query = Array.from({ length: 1_000 }, (_, i) => `tag${i}:value${i}`).join(' ');
    const res = await get(`/organizations/${p.org.slug}/issues/?query=${encodeURIComponent(query)}`);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().detail).toContain(String(MAX_QUERY_TERMS));
    const list = Array.from({ length: 1_000 }, (_, i) => `v${i}`).join(',');
    const listed = await get(
      `/organizations/${p.org.slug}/issues/?query=${encodeURIComponent(`browser:[${list}]`)}`,
    );
    expect(listed.statusCode, listed.body).toBe(400);
    const within = Array.from({ length: MAX_QUERY_TERMS }, (_, i) => `!tag${i}:*value${i}*`).join(' ');
    const ok = await get(`/organizations/${p.org.slug}/issues/?query=${encodeURIComponent(within)}`);
    expect(ok.statusCode, ok.body).toBe(200);
  });
});
