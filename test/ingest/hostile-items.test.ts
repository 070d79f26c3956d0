// Every item type the recorded SDKs send, with hostile text in every string and key (NUL, a lone
// surrogate, a right-to-left override): each is digested, none is set aside. PostgreSQL refuses NUL
// in text, so an item type that stores a client's string unchecked would be answered 200 and lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnvelope, serializeEnvelope } from '../../src/protocol/envelope.js';
import { FIXTURE_SDKS, type Fixture, loadFixtures } from '../fixtures/load.js';
import { TEST_ENGINES } from '../support/engines.js';
import type { Harness } from '../support/harness.js';
import { createHarness } from '../support/harness.js';
import { ingestProject, postEnvelope, postStore } from './support.js';

const HOSTILE = '\u0000\ud800\u202e';

/** Keys whose values must stay as sent for the item to be read at all: ids, times, kinds. */
const KEPT = /(^|_)id$|^(timestamp|start_timestamp|started|type|version|status|errors|did|sid|seq|init)$/;

/** The value with HOSTILE added to every string at any depth, but for the values KEPT names. */
function poison(value: unknown): unknown {
  if (typeof value === 'string') return value + HOSTILE;
  if (Array.isArray(value)) return value.map(poison);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, KEPT.test(k) ? v : poison(v)]));
  return value;
}

function poisonedEnvelope(f: Fixture): Buffer {
  const envelope = parseEnvelope(f.body);
  return serializeEnvelope({
    headers: { ...envelope.headers, dsn: undefined, sent_at: new Date().toISOString() },
    items: envelope.items.map((item) => {
      const type = item.headers.type;
      if (type === 'attachment')
        return { headers: { ...item.headers, filename: `log${HOSTILE}` }, payload: item.payload };
      try {
        const payload = JSON.parse(item.payload.toString('utf8'));
        // Sessions older than a few days are dropped, rightly: the recorded ones are given today's time.
        if (type === 'session')
          Object.assign(payload, { started: new Date().toISOString(), timestamp: new Date().toISOString() });
        return { headers: item.headers, payload: poison(payload) as object };
      } catch {
        return { headers: item.headers, payload: item.payload };
      }
    }),
  });
}

const fixtures = FIXTURE_SDKS.flatMap((sdk) => loadFixtures(sdk)).filter((f) =>
  /\/(envelope|store)\//.test(f.url),
);

describe.each(TEST_ENGINES)('hostile text in every item type on %s', (engine) => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness(engine);
  });
  afterAll(() => h?.close());

  const TABLES = [
    'events',
    'spans',
    'release_health',
    'client_outcomes',
    'user_reports',
    'check_ins',
    'attachments',
  ] as const;
  async function storedRows(projectId: number): Promise<number> {
    let n = 0;
    for (const table of TABLES) {
      const row = await h.ctx.db.region
        .selectFrom(table)
        .where('project_id', '=', projectId)
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow();
      n += Number(row.n);
    }
    return n;
  }

  it.each(fixtures.map((f) => [`${f.sdk}/${f.name}`, f] as const))(
    '%s is digested, not set aside',
    async (_, f) => {
      // A project of its own: sessions add up into existing rows, so only a fresh one shows a row kept.
      const p = await ingestProject(h);
      const res = f.url.includes('/store/')
        ? await postStore(h, p.project.id, p.key.publicKey, poison(JSON.parse(f.body.toString('utf8'))))
        : await postEnvelope(h, p.project.id, p.key.publicKey, poisonedEnvelope(f));
      expect(res.statusCode, res.body).toBe(200);
      await h.worker.drain();
      // Something of it was kept: items that were all dropped would prove nothing.
      expect(await storedRows(p.project.id)).toBeGreaterThan(0);
      const left = await h.ctx.db.region.selectFrom('raw_envelopes').select(['id', 'digest_error']).execute();
      expect(left).toEqual([]);
    },
  );
});
