import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestProject } from '../ingest/support.js';
import { TEST_ENGINES } from '../support/engines.js';
import { errorEvent } from '../support/envelopes.js';
import { createHarness, type Harness, makeToken } from '../support/harness.js';

// A bounded fuzz of both doors: a fixed number of cases from a seeded generator (set
// ERRATA_FUZZ_SEED to replay another run; the seed is printed), sent to /store/ and /envelope/,
// then the REST reads over what was stored, with odd ids, slugs and searches. Nothing may answer
// 500, every 4xx carries a `detail`, GET /api/0/ still answers after each batch, every accepted
// event can be read back, and the process's RSS stays under RSS_BOUND_MB.

const SEED = Number(process.env.ERRATA_FUZZ_SEED ?? 20261128);
const BATCHES = 4;
const EVENTS_PER_BATCH = 24;
const READS_PER_BATCH = 60;
/** The test process's resident memory at most: the largest bodies here are a few MiB each. */
const RSS_BOUND_MB = 1536;

/** mulberry32: small, fast and the same on every machine. */
function generator(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  return { next, int, pick };
}
type Rng = ReturnType<typeof generator>;

const ODD_PIECES = [
  '\ud800', // lone high surrogate
  '\udfff', // lone low surrogate
  '\u200f', // right-to-left mark
  '\u202e', // right-to-left override
  '\u0000',
  '\u0001',
  '\u001b[31m',
  '\r\n',
  '\t',
  '\u2028',
  '\ufeff',
  '😀',
  'é',
  '報告',
  '"',
  '\\',
  '%00',
  '../',
  "'; DROP TABLE events; --",
  '*',
  '[',
  ']',
  ':',
];

function oddString(rng: Rng, maxLength = 40): string {
  const parts: string[] = [];
  const n = 1 + rng.int(maxLength);
  for (let i = 0; i < n; i++)
    parts.push(rng.next() < 0.5 ? rng.pick(ODD_PIECES) : String.fromCharCode(32 + rng.int(95)));
  return parts.join('');
}

/** JSON text nested `depth` deep, written as text: JSON.stringify cannot write it. */
function deepText(rng: Rng, depth: number): string {
  const [open, close] = rng.next() < 0.5 ? ['{"a":', '}'] : ['[', ']'];
  return `${open.repeat(depth)}${JSON.stringify(oddString(rng))}${close.repeat(depth)}`;
}

function wideObject(rng: Rng, n: number): Record<string, unknown> {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`${oddString(rng, 5)}${i}`, rng.int(1000)]));
}

/** One event's JSON text: a plausible event with a few fields made hostile. */
function eventText(rng: Rng, eventId: string): string {
  const event: Record<string, unknown> = errorEvent({ event_id: eventId });
  const mutations = 1 + rng.int(4);
  for (let i = 0; i < mutations; i++) {
    switch (rng.int(12)) {
      case 0:
        event.message = oddString(rng, 200);
        break;
      case 1:
        event.tags = wideObject(rng, rng.pick([10, 300, 5000]));
        break;
      case 2:
        event.tags = Object.fromEntries(
          Array.from({ length: 20 }, () => [oddString(rng, 8), oddString(rng, 30)]),
        );
        break;
      case 3:
        event.extra = { huge: 'x'.repeat(rng.pick([20_000, 300_000])), odd: oddString(rng) };
        break;
      case 4:
        event.extra = wideObject(rng, rng.pick([2000, 20_000]));
        break;
      case 5:
        event.user = { id: oddString(rng), email: oddString(rng), username: oddString(rng) };
        break;
      case 6:
        event.release = oddString(rng, 20);
        event.environment = oddString(rng, 20);
        break;
      case 7:
        event.exception = { values: [{ type: oddString(rng, 20), value: oddString(rng, 500) }] };
        break;
      case 8:
        event.fingerprint = [oddString(rng, 10), rng.int(5)];
        break;
      case 9:
        event.breadcrumbs = Array.from({ length: rng.pick([5, 3000]) }, () => ({ message: oddString(rng) }));
        break;
      case 10:
        event.request = {
          url: oddString(rng),
          headers: [[oddString(rng, 5), oddString(rng)]],
          data: oddString(rng),
        };
        break;
      default:
        event.contexts = { [oddString(rng, 10)]: { name: oddString(rng), version: oddString(rng) } };
    }
  }
  const text = JSON.stringify(event);
  if (rng.next() < 0.3) {
    // Deep nesting, spliced in as text.
    return `${text.slice(0, -1)},"deep_${rng.int(1e6)}":${deepText(rng, rng.pick([20, 500, 30_000]))}}`;
  }
  return text;
}

function envelopeBody(rng: Rng, eventId: string, text: string): Buffer {
  const attachment = Buffer.from(oddString(rng, 100));
  const header = JSON.stringify({ event_id: eventId, sent_at: new Date().toISOString() });
  const name = JSON.stringify({
    type: 'attachment',
    length: attachment.length,
    filename: oddString(rng, 30),
  });
  return Buffer.concat([
    Buffer.from(`${header}\n{"type":"event","length":${Buffer.byteLength(text)}}\n${text}\n${name}\n`),
    attachment,
    Buffer.from('\n'),
  ]);
}

/**
 * Percent-encodes like encodeURIComponent, but writes a lone surrogate as the three bytes it would
 * take if it were allowed (invalid UTF-8 on the wire), where encodeURIComponent would throw.
 */
function enc(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    if (ch.length === 1 && code >= 0xd800 && code <= 0xdfff) {
      out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join('');
    } else out += encodeURIComponent(ch);
  }
  return out;
}

const ODD_IDS = [
  '0',
  '-1',
  '1e3',
  '99999999999999999999',
  'abc',
  '%00',
  '%E2%80%AE',
  '..',
  '%2F',
  ' ',
  "'",
  'NaN',
];

describe.each(TEST_ENGINES)('fuzz on %s', (engine) => {
  let h: Harness;
  let p: Awaited<ReturnType<typeof ingestProject>>;
  let token: string;
  let peakRss = 0;
  let sampler: ReturnType<typeof setInterval>;
  const accepted: string[] = [];
  const issues = new Set<string>();
  const failures: string[] = [];

  beforeAll(async () => {
    h = await createHarness(engine);
    p = await ingestProject(h);
    token = await makeToken(h.ctx, p.user, ['org:read', 'project:read', 'event:read']);
    sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 20);
  });
  afterAll(async () => {
    clearInterval(sampler);
    await h?.close();
  });

  /** Records a 500, or a 4xx without a detail; returns the response. */
  function check(what: string, res: LightMyRequestResponse): LightMyRequestResponse {
    if (res.statusCode >= 500) failures.push(`${what}: ${res.statusCode} ${res.body.slice(0, 300)}`);
    else if (res.statusCode >= 400) {
      let detail: unknown;
      try {
        detail = res.json().detail;
      } catch {
        detail = undefined;
      }
      if (detail === undefined)
        failures.push(`${what}: ${res.statusCode} without detail: ${res.body.slice(0, 200)}`);
    }
    return res;
  }

  const get = (url: string) => h.request({ method: 'GET', url, token });

  async function probe(batch: number) {
    const res = await h.request({ method: 'GET', url: '/api/0/' });
    expect(res.statusCode, `probe after batch ${batch}`).toBe(200);
  }

  async function sendEvents(rng: Rng) {
    for (let i = 0; i < EVENTS_PER_BATCH; i++) {
      const eventId = crypto.randomUUID().replace(/-/g, '');
      const text = eventText(rng, eventId);
      const viaStore = rng.next() < 0.5;
      const res = viaStore
        ? await h.app.inject({
            method: 'POST',
            url: `/api/${p.project.id}/store/`,
            payload: Buffer.from(text),
            headers: {
              'content-type': 'application/json',
              'x-sentry-auth': `Sentry sentry_key=${p.key.publicKey}, sentry_version=7`,
            },
          })
        : await h.app.inject({
            method: 'POST',
            url: `/api/${p.project.id}/envelope/?sentry_key=${p.key.publicKey}`,
            payload: envelopeBody(rng, eventId, text),
          });
      check(`${viaStore ? 'store' : 'envelope'} event ${i}`, res);
      if (res.statusCode === 200) accepted.push(eventId);
    }
    await h.worker.drain();
  }

  async function readBack() {
    for (const eventId of accepted.splice(0)) {
      const res = check(
        `eventids ${eventId}`,
        await get(`/api/0/organizations/${p.org.slug}/eventids/${eventId}/`),
      );
      if (res.statusCode !== 200) {
        failures.push(`accepted event ${eventId} cannot be read back: ${res.statusCode}`);
        continue;
      }
      issues.add(String(res.json().groupId));
      const base = `/api/0/projects/${p.org.slug}/${p.project.slug}/events/${eventId}/`;
      check(`event ${eventId}`, await get(base));
      const attachments = check(`attachments ${eventId}`, await get(`${base}attachments/`));
      for (const a of attachments.statusCode === 200 ? (attachments.json() as { id: string }[]) : []) {
        check(`attachment ${a.id}`, await get(`${base}attachments/${a.id}/`));
        check(`download ${a.id}`, await get(`${base}attachments/${a.id}/?download=1`));
      }
    }
  }

  function randomQuery(rng: Rng): string {
    switch (rng.int(5)) {
      case 0:
        return Array.from({ length: rng.pick([50, 101, 1000]) }, (_, i) => `k${i}:${oddString(rng, 5)}`).join(
          ' ',
        );
      case 1:
        return `${oddString(rng, 3)}:[${Array.from({ length: rng.pick([3, 500]) }, () => JSON.stringify(oddString(rng, 5))).join(',')}]`;
      case 2:
        return oddString(rng, 300);
      case 3:
        return `firstSeen:${oddString(rng, 10)} times_seen:>${oddString(rng, 5)} is:${oddString(rng, 5)}`;
      default:
        return `tags[${oddString(rng, 8)}]:${oddString(rng, 8)} !has:${oddString(rng, 8)} "${oddString(rng, 20)}`;
    }
  }

  async function readRandomly(rng: Rng) {
    const known = [...issues];
    const org = p.org.slug;
    for (let i = 0; i < READS_PER_BATCH; i++) {
      const issue = rng.next() < 0.6 && known.length > 0 ? rng.pick(known) : enc(rng.pick(ODD_IDS));
      const oddSlug = enc(oddString(rng, 12));
      const url = rng.pick([
        () => `/api/0/organizations/${org}/issues/?query=${enc(randomQuery(rng))}`,
        () => `/api/0/projects/${org}/${p.project.slug}/issues/?query=${enc(randomQuery(rng))}`,
        () => `/api/0/organizations/${org}/issues/?statsPeriod=${enc(oddString(rng, 6))}`,
        () => `/api/0/organizations/${org}/issues/?cursor=${enc(oddString(rng, 12))}`,
        () => `/api/0/organizations/${oddSlug}/issues/`,
        () => `/api/0/issues/${issue}/`,
        () => `/api/0/organizations/${org}/issues/${issue}/`,
        () => `/api/0/issues/${issue}/tags/`,
        () => `/api/0/issues/${issue}/tags/${enc(oddString(rng, 10))}/`,
        () => `/api/0/issues/${issue}/tags/${enc(oddString(rng, 10))}/values/?sort=${oddSlug}`,
        () => `/api/0/issues/${issue}/events/`,
        () => `/api/0/issues/${issue}/events/${rng.pick(['latest', 'oldest', 'recommended', ...ODD_IDS])}/`,
        () => `/api/0/projects/${org}/${oddSlug}/events/`,
        () => `/api/0/projects/${org}/${p.project.slug}/events/${enc(rng.pick(ODD_IDS))}/`,
        () =>
          `/api/0/projects/${org}/${p.project.slug}/events/${'a'.repeat(32)}/attachments/${enc(rng.pick(ODD_IDS))}/?download=1`,
        () => `/api/0/organizations/${org}/eventids/${enc(oddString(rng, 32))}/`,
      ])();
      check(`GET ${url.slice(0, 200)}`, await get(url));
    }
  }

  it(`survives ${BATCHES} batches of hostile events and reads (seed ${SEED})`, async () => {
    const rng = generator(SEED);
    const started = performance.now();
    for (let batch = 0; batch < BATCHES; batch++) {
      await sendEvents(rng);
      await readBack();
      await readRandomly(rng);
      await probe(batch);
    }
    // Bodies a client controls outright: broken JSON, odd project ids, odd keys.
    for (const [url, body] of [
      [`/api/${p.project.id}/store/`, '{"a":'],
      [`/api/${p.project.id}/store/`, '[1,2]'],
      [
        `/api/${p.project.id}/envelope/?sentry_key=${p.key.publicKey}`,
        '{}\n{"type":"event","length":99999}\n{}',
      ],
      [`/api/${enc('\u202e1')}/store/?sentry_key=${p.key.publicKey}`, '{}'],
      [`/api/${p.project.id}/envelope/?sentry_key=${enc(oddString(rng))}`, '{}\n'],
    ] as const) {
      check(`POST ${url}`, await h.app.inject({ method: 'POST', url, payload: body }));
    }
    await probe(BATCHES);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const peakMb = Math.round(peakRss / 1024 / 1024);
    console.log(
      `[figures] fuzz on ${engine}: seed ${SEED}, ${BATCHES * EVENTS_PER_BATCH} events, ` +
        `${BATCHES * READS_PER_BATCH} random reads, ${seconds} s, peak RSS ${peakMb} MB (bound ${RSS_BOUND_MB} MB)`,
    );
    expect(failures).toEqual([]);
    expect(issues.size).toBeGreaterThan(0);
    expect(peakMb).toBeLessThan(RSS_BOUND_MB);
  }, 120_000);
});
