import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateProjectKey } from '../../src/store/region/project-keys.js';
import { TEST_ENGINES } from '../support/engines.js';
import { envelopeOf, errorEvent } from '../support/envelopes.js';
import { createHarness, type Harness } from '../support/harness.js';
import { ingestProject, postEnvelope, postStore } from './support.js';

describe.each(TEST_ENGINES)('ingest on %s', (engine) => {
  let h: Harness;
  let p: Awaited<ReturnType<typeof ingestProject>>;
  // Raw rows of data: a refusal leaves a row of its own, the count usage stats read (kind `outcomes`).
  const raw = async () =>
    Number(
      (
        await h.ctx.db.region
          .selectFrom('raw_envelopes')
          .where('kind', '!=', 'outcomes')
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    h = await createHarness(engine, {
      ERRATA_INGEST_MAX_ENVELOPE_BYTES: String(256 * 1024),
      ERRATA_INGEST_MAX_EVENT_BYTES: String(64 * 1024),
      ERRATA_KEY_CACHE_SECONDS: '0',
    });
    p = await ingestProject(h);
  });
  afterAll(() => h.close());

  describe('accepts what SDKs send', () => {
    it('an envelope with the key in the query string, answering with the event id and CORS headers', async () => {
      const event = errorEvent();
      const before = await raw();
      const r = await postEnvelope(
        h,
        p.project.id,
        p.key.publicKey,
        envelopeOf([{ type: 'event', payload: event }]),
      );
      expect(r.statusCode).toBe(200);
      expect(r.json()).toEqual({ id: event.event_id });
      expect(r.headers['access-control-allow-origin']).toBe('*');
      expect(r.headers['access-control-expose-headers']).toContain('x-sentry-rate-limits');
      expect(await raw()).toBe(before + 1);
    });

    it('the envelope header event_id wins over the payload, dashed UUIDs are normalized', async () => {
      const r = await postEnvelope(
        h,
        p.project.id,
        p.key.publicKey,
        envelopeOf([{ type: 'event', payload: errorEvent() }], {
          event_id: '9EC79C33-EC99-42AB-8353-589FCB2E04DC',
        }),
      );
      expect(r.json()).toEqual({ id: '9ec79c33ec9942ab8353589fcb2e04dc' });
    });

    it('an event without any id gets one', async () => {
      const { event_id: _omit, ...event } = errorEvent();
      const r = await postEnvelope(
        h,
        p.project.id,
        p.key.publicKey,
        envelopeOf([{ type: 'event', payload: event }]),
      );
      expect(r.statusCode).toBe(200);
      expect(r.json().id).toMatch(/^[0-9a-f]{32}$/);
    });

    it.each([
      ['X-Sentry-Auth', (key: string) => ({ 'x-sentry-auth': `Sentry sentry_key=${key}, sentry_version=7` })],
      [
        'Authorization: Sentry',
        (key: string) => ({ authorization: `Sentry sentry_key=${key}, sentry_version=7` }),
      ],
    ])('the key in the %s header', async (_name, headers) => {
      const r = await postEnvelope(
        h,
        p.project.id,
        null,
        envelopeOf([{ type: 'event', payload: errorEvent() }]),
        headers(p.key.publicKey),
      );
      expect(r.statusCode).toBe(200);
    });

    it('the DSN in the envelope header (tunnels)', async () => {
      const dsn = `http://${p.key.publicKey}@errata.test:9000/${p.project.id}`;
      const r = await postEnvelope(
        h,
        p.project.id,
        null,
        envelopeOf([{ type: 'event', payload: errorEvent() }], { dsn }),
      );
      expect(r.statusCode).toBe(200);
    });

    it.each([
      ['gzip', gzipSync],
      ['deflate', deflateSync],
      ['deflate', deflateRawSync],
      ['br', brotliCompressSync],
      ['', (b: Buffer) => b],
      ['UTF-8', (b: Buffer) => b],
    ])('a body with Content-Encoding %s', async (encoding, compress) => {
      const event = errorEvent();
      const body = compress(envelopeOf([{ type: 'event', payload: event }]));
      const r = await postEnvelope(h, p.project.id, p.key.publicKey, body, { 'content-encoding': encoding });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json()).toEqual({ id: event.event_id });
    });

    it('the legacy store endpoint, gzipped JSON with X-Sentry-Auth, as the Python SDK sends it', async () => {
      const event = errorEvent({ platform: 'python' });
      const r = await postStore(h, p.project.id, p.key.publicKey, event);
      expect(r.statusCode).toBe(200);
      expect(r.json()).toEqual({ id: event.event_id });
    });

    it('an envelope of item types Errata does not keep is accepted', async () => {
      const r = await postEnvelope(
        h,
        p.project.id,
        p.key.publicKey,
        envelopeOf([
          { type: 'profile_chunk', payload: { x: 1 } },
          { type: 'replay_event', payload: { y: 2 } },
        ]),
      );
      expect(r.statusCode).toBe(200);
      expect(r.json()).toEqual({});
    });

    it('answers a CORS preflight without credentials', async () => {
      const r = await h.app.inject({ method: 'OPTIONS', url: `/api/${p.project.id}/envelope/` });
      expect(r.statusCode).toBe(200);
      expect(r.headers['access-control-allow-methods']).toContain('POST');
      expect(r.headers['access-control-allow-headers']).toContain('x-sentry-auth');
    });
  });

  describe('refuses bad input with the right status and stores nothing', () => {
    const cases: [
      string,
      () => Promise<{ statusCode: number; json(): { detail: string }; headers: Record<string, unknown> }>,
      number,
      RegExp,
    ][] = [
      [
        'no credentials',
        () => postEnvelope(h, p.project.id, null, envelopeOf([{ type: 'event', payload: errorEvent() }])),
        401,
        /missing authorization/,
      ],
      [
        'an unknown key',
        () =>
          postEnvelope(
            h,
            p.project.id,
            'f'.repeat(32),
            envelopeOf([{ type: 'event', payload: errorEvent() }]),
          ),
        403,
        /ProjectId/,
      ],
      [
        'a key of another project',
        () =>
          postEnvelope(
            h,
            p.project.id + 1000,
            p.key.publicKey,
            envelopeOf([{ type: 'event', payload: errorEvent() }]),
          ),
        403,
        /ProjectId/,
      ],
      [
        'a project id that is not a number',
        () =>
          h.app.inject({
            method: 'POST',
            url: `/api/abc/envelope/?sentry_key=${p.key.publicKey}`,
            payload: 'x',
          }),
        400,
        /bad project path/,
      ],
      [
        'an empty body',
        () => postEnvelope(h, p.project.id, p.key.publicKey, Buffer.alloc(0)),
        400,
        /empty request body/,
      ],
      [
        'a truncated envelope (item shorter than its length)',
        () =>
          postEnvelope(
            h,
            p.project.id,
            p.key.publicKey,
            Buffer.from('{}\n{"type":"event","length":100}\n{"a":1}'),
          ),
        400,
        /envelope/,
      ],
      [
        'a header line that is not JSON',
        () => postEnvelope(h, p.project.id, p.key.publicKey, Buffer.from('not json\n')),
        400,
        /envelope/,
      ],
      [
        'an event that is not JSON, alone',
        () => postEnvelope(h, p.project.id, p.key.publicKey, Buffer.from('{}\n{"type":"event"}\n{"broken":')),
        400,
        /invalid JSON/,
      ],
      [
        'a bad event_id',
        () =>
          postEnvelope(
            h,
            p.project.id,
            p.key.publicKey,
            envelopeOf([{ type: 'event', payload: errorEvent() }], { event_id: 'nope' }),
          ),
        400,
        /event/,
      ],
      [
        'an event item over the event limit',
        () =>
          postEnvelope(
            h,
            p.project.id,
            p.key.publicKey,
            envelopeOf([{ type: 'event', payload: errorEvent({ extra: { big: 'x'.repeat(70 * 1024) } }) }]),
          ),
        413,
        /size limits for type 'event'/,
      ],
      [
        'a gzip bomb past the decompressed limit',
        () =>
          postEnvelope(h, p.project.id, p.key.publicKey, gzipSync(Buffer.alloc(10 * 1024 * 1024, 0x20)), {
            'content-encoding': 'gzip',
          }),
        413,
        /size limits/,
      ],
      [
        'a body that is not gzip although it says so',
        () =>
          postEnvelope(h, p.project.id, p.key.publicKey, Buffer.from('plain text'), {
            'content-encoding': 'gzip',
          }),
        400,
        /decode/,
      ],
      [
        'an unknown content encoding',
        () =>
          postEnvelope(h, p.project.id, p.key.publicKey, Buffer.from('x'), { 'content-encoding': 'lzma' }),
        400,
        /encoding/,
      ],
      [
        'store with invalid JSON',
        () =>
          h.app.inject({
            method: 'POST',
            url: `/api/${p.project.id}/store/?sentry_key=${p.key.publicKey}`,
            payload: '{"x":',
            headers: { 'content-type': 'application/json' },
          }),
        400,
        /invalid JSON/,
      ],
      [
        'a sentry_version newer than 7',
        () =>
          h.app.inject({
            method: 'POST',
            url: `/api/${p.project.id}/envelope/?sentry_key=${p.key.publicKey}&sentry_version=99`,
            payload: '{}\n',
          }),
        400,
        /protocol version/,
      ],
    ];
    it.each(cases)('%s', async (_name, send, status, detail) => {
      const before = await raw();
      const r = await send();
      expect(r.statusCode).toBe(status);
      expect(r.json().detail).toMatch(detail);
      expect(r.headers['access-control-allow-origin']).toBe('*');
      expect(r.headers['x-sentry-error']).toBeTruthy();
      expect(await raw()).toBe(before);
    });

    it('a disabled key is refused with 403', async () => {
      await updateProjectKey(h.ctx.db.region, p.key.id, { isActive: false });
      try {
        const before = await raw();
        const r = await postEnvelope(
          h,
          p.project.id,
          p.key.publicKey,
          envelopeOf([{ type: 'event', payload: errorEvent() }]),
        );
        expect(r.statusCode).toBe(403);
        expect(await raw()).toBe(before);
      } finally {
        await updateProjectKey(h.ctx.db.region, p.key.id, { isActive: true });
      }
    });

    it('keeps the good items of an envelope whose event is broken', async () => {
      const before = await raw();
      const body = Buffer.concat([
        Buffer.from('{}\n{"type":"event"}\n{"broken":\n'),
        envelopeOf([
          {
            type: 'session',
            payload: {
              sid: 'a'.repeat(32),
              init: true,
              status: 'ok',
              started: new Date().toISOString(),
              attrs: { release: 'r1' },
            },
          },
        ]).subarray(3),
      ]);
      const r = await postEnvelope(h, p.project.id, p.key.publicKey, body);
      expect(r.statusCode, r.body).toBe(200);
      expect(await raw()).toBe(before + 1);
    });
  });

  describe('rate limits', () => {
    it('answers 429 with Retry-After and X-Sentry-Rate-Limits past a key limit, and stores nothing', async () => {
      const q = await ingestProject(h);
      await updateProjectKey(h.ctx.db.region, q.key.id, { rateLimit: { count: 2, window: 3600 } });
      const send = () =>
        postEnvelope(
          h,
          q.project.id,
          q.key.publicKey,
          envelopeOf([{ type: 'event', payload: errorEvent() }]),
        );
      expect((await send()).statusCode).toBe(200);
      expect((await send()).statusCode).toBe(200);
      const before = await raw();
      const r = await send();
      expect(r.statusCode).toBe(429);
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
      expect(r.headers['x-sentry-rate-limits']).toMatch(/^\d+::key/);
      expect(await raw()).toBe(before);
      // Sessions do not count against the event limit.
      const session = await postEnvelope(
        h,
        q.project.id,
        q.key.publicKey,
        envelopeOf([
          {
            type: 'session',
            payload: { sid: 'b'.repeat(32), init: true, status: 'ok', attrs: { release: 'r1' } },
          },
        ]),
      );
      expect(session.statusCode).toBe(200);
    });
  });
});

describe.each(TEST_ENGINES)('project quota on %s', (engine) => {
  let h: Harness;
  // A fixed clock in the middle of a minute, so the quota window cannot roll over during the test.
  const now = Math.floor(Date.now() / 60_000) * 60_000 + 30_000;
  beforeAll(async () => {
    h = await createHarness(engine, { ERRATA_PROJECT_QUOTA_PER_MINUTE: '3' }, { now: () => now });
  });
  afterAll(() => h.close());

  it('answers 429 with a project-scoped rate limit past the quota, per project', async () => {
    const p = await ingestProject(h);
    const q = await ingestProject(h);
    const send = (x: typeof p) =>
      postEnvelope(h, x.project.id, x.key.publicKey, envelopeOf([{ type: 'event', payload: errorEvent() }]));
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await send(p)).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const refused = await send(p);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['x-sentry-rate-limits']).toBe('30::project:project_limit');
    expect(refused.headers['retry-after']).toBe('30');
    // Another project has its own quota.
    expect((await send(q)).statusCode).toBe(200);
  });
});
