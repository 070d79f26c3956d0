import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestProject, postEnvelope } from '../ingest/support.js';
import { TEST_ENGINES } from '../support/engines.js';
import { envelopeOf, errorEvent } from '../support/envelopes.js';
import { createHarness, type Harness, makeToken } from '../support/harness.js';

// Attachments end to end: an event and its files sent as one envelope through ingest, digested by
// the worker, then listed, described and downloaded through the REST API, bytes and headers compared.

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field, checked by expect().
type Json = Record<string, any>;

const BINARY = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const TEXT = Buffer.from('line one\nline two\n');
/** Non-ASCII (accents, CJK, an emoji, a right-to-left mark) and control characters, quote and backslash. */
const ODD_NAME = 'rapport é 報告 😀\u200f\t\u0001"q"\\x.txt';

const sha1 = (data: Buffer) => createHash('sha1').update(data).digest('hex');

describe.each(TEST_ENGINES)('attachments API on %s', (engine) => {
  let h: Harness;
  let p: Awaited<ReturnType<typeof ingestProject>>;
  let token: string;
  const event = errorEvent();
  let base: string;

  beforeAll(async () => {
    h = await createHarness(engine);
    p = await ingestProject(h);
    token = await makeToken(h.ctx, p.user, ['project:read', 'event:read']);
    base = `/api/0/projects/${p.org.slug}/${p.project.slug}/events/${event.event_id}/attachments/`;
    const body = envelopeOf(
      [
        { type: 'event', payload: event },
        {
          type: 'attachment',
          payload: BINARY,
          headers: { filename: 'bytes.bin', content_type: 'application/x-raw', length: BINARY.length },
        },
        {
          type: 'attachment',
          payload: TEXT,
          headers: { filename: ODD_NAME, content_type: 'text/plain', length: TEXT.length },
        },
      ],
      { event_id: event.event_id },
    );
    const res = await postEnvelope(h, p.project.id, p.key.publicKey, body);
    expect(res.statusCode, res.body).toBe(200);
    await h.worker.drain();
  });
  afterAll(() => h?.close());

  const get = (url: string) => h.request({ method: 'GET', url, token });

  async function listed(): Promise<Json[]> {
    const res = await get(base);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  }

  it('lists both attachments with size, sha1, mimetype and name, in the order sent', async () => {
    const list = await listed();
    expect(list.map((a) => [a.name, a.size, a.sha1, a.mimetype, a.type])).toEqual([
      ['bytes.bin', 256, sha1(BINARY), 'application/x-raw', 'event.attachment'],
      [ODD_NAME, TEXT.length, sha1(TEXT), 'text/plain', 'event.attachment'],
    ]);
    for (const a of list) {
      expect(a.id).toMatch(/^\d+$/);
      expect(a.event_id).toBe(event.event_id);
      expect(a.headers).toEqual({ 'Content-Type': a.mimetype });
      expect(Number.isNaN(Date.parse(a.dateCreated))).toBe(false);
    }
  });

  it("reads one attachment's metadata as the list shows it", async () => {
    for (const a of await listed()) {
      const res = await get(`${base}${a.id}/`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual(a);
    }
  });

  it('downloads the binary attachment byte for byte', async () => {
    const [binary] = await listed();
    const res = await get(`${base}${binary?.id}/?download=1`);
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.equals(BINARY)).toBe(true);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="bytes.bin"; filename*=UTF-8''bytes.bin`,
    );
  });

  it('downloads the oddly named one with an ASCII fallback name and the exact name in filename*', async () => {
    const [, odd] = await listed();
    const res = await get(`${base}${odd?.id}/?download=1`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.rawPayload.equals(TEXT)).toBe(true);
    const disposition = String(res.headers['content-disposition']);
    const match = /^attachment; filename="([^"]*)"; filename\*=UTF-8''(.+)$/.exec(disposition);
    expect(match, disposition).not.toBeNull();
    const [, fallback, encoded] = match as unknown as [string, string, string];
    // The fallback: printable ASCII only, no quote or backslash to escape.
    expect(fallback).toMatch(/^[\x20-\x7e]+$/);
    expect(fallback).not.toMatch(/["\\]/);
    expect(fallback.endsWith('.txt')).toBe(true);
    // RFC 5987: only attr-chars stay bare, everything else is percent-encoded UTF-8.
    expect(encoded).toMatch(/^[A-Za-z0-9!#$&+.^_`|~%-]+$/);
    expect(decodeURIComponent(encoded)).toBe(ODD_NAME);
  });

  it('answers 404 with a detail for an attachment id that is not there or not a number', async () => {
    for (const id of ['999999999', 'abc', '-1', '1e3', '%E2%80%8F']) {
      const res = await get(`${base}${id}/?download=1`);
      expect(res.statusCode, `${id}: ${res.body}`).toBe(404);
      expect(res.json().detail).toBeTypeOf('string');
    }
  });
});
