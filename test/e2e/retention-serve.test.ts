import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ENGINES } from '../support/engines.js';
import { errorEvent, eventEnvelope } from '../support/envelopes.js';
import { api, type DsnParts, parseDsn, postEnvelope } from '../support/node-client.js';
import { createPgSchema, type PgSchema } from '../support/pg-schema.js';
import {
  firstStartNotice,
  SERVE_START_TIMEOUT_MS,
  type ServeProcess,
  startServe,
  stopServe,
} from '../support/serve-process.js';
import { freePort } from '../support/server.js';
import { waitFor } from '../support/wait.js';

// `errata serve` runs retention itself: an event sent to it goes once the process's clock
// (ERRATA_TEST_CLOCK_FILE, moved by the test) is past the retention period, with its issue, and
// one sent after that stays.

const DAY_MS = 86_400_000;

describe.each(TEST_ENGINES)('retention in errata serve on %s', (engine) => {
  let serve: ServeProcess;
  let url: string;
  let schema: PgSchema | null = null;
  let dir: string;
  let clockFile: string;
  let token: string;
  let org: string;
  let dsn: DsnParts;

  const moveClock = (offsetMs: number) => {
    writeFileSync(`${clockFile}.next`, String(offsetMs));
    renameSync(`${clockFile}.next`, clockFile);
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'errata-retention-'));
    clockFile = path.join(dir, 'offset');
    moveClock(0);
    if (engine === 'postgres') schema = await createPgSchema('errata_retention');
    const port = await freePort();
    serve = await startServe({
      ...(schema ? { DATABASE_URL: schema.url() } : { ERRATA_DATA_DIR: path.join(dir, 'data') }),
      ERRATA_PORT: String(port),
      ERRATA_LOG_LEVEL: 'warn',
      ERRATA_DIGEST_POLL_MS: '100',
      ERRATA_RETENTION_DAYS: '90',
      ERRATA_RETENTION_POLL_MS: '1000',
      ERRATA_TEST_CLOCK_FILE: clockFile,
      NODE_ENV: 'test',
    });
    url = `http://127.0.0.1:${port}`;
    const notice = firstStartNotice(serve.output());
    token = /User token:\s+(\S+)/.exec(notice)?.[1] ?? '';
    org = /Organization (\S+), project/.exec(notice)?.[1] ?? '';
    dsn = parseDsn(/DSN:\s+(\S+)/.exec(notice)?.[1] ?? '');
  }, SERVE_START_TIMEOUT_MS + 30_000);

  afterAll(async () => {
    if (serve) await stopServe(serve);
    await schema?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const event = async (eventId: string) =>
    (await api(url, token, 'GET', `organizations/${org}/eventids/${eventId}/`)).status;

  it('deletes an event and its issue once they are past the retention period, and keeps a newer one', {
    timeout: 90_000,
  }, async () => {
    const old = errorEvent({}, 'OldError');
    expect((await postEnvelope(url, dsn, eventEnvelope(old))).status).toBe(200);
    await waitFor(async () => (await event(old.event_id)) === 200, { what: 'the event digested' });

    // 91 days later by the server's clock: its next pass finds the event a day past retention.
    moveClock(91 * DAY_MS);
    const fresh = errorEvent({ timestamp: (Date.now() + 91 * DAY_MS) / 1000 }, 'FreshError');
    expect((await postEnvelope(url, dsn, eventEnvelope(fresh))).status).toBe(200);
    await waitFor(async () => (await event(old.event_id)) === 404, {
      what: 'the old event deleted',
      timeoutMs: 30_000,
    });
    expect(await event(fresh.event_id)).toBe(200);
    const issues = await api<{ title: string; count: string }[]>(
      url,
      token,
      'GET',
      `organizations/${org}/issues/?query=`,
    );
    expect(issues.status).toBe(200);
    expect(issues.body.map((i) => [i.title.split(':')[0], i.count])).toEqual([['FreshError', '1']]);
    expect(serve.output()).not.toMatch(/retention failed/);
  });
});
