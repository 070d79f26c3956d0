import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ENGINES } from '../support/engines.js';
import {
  api,
  type DsnParts,
  envelopeOf,
  errorEvent,
  inParallel,
  newEventId,
  parseDsn,
  postEnvelope,
} from '../support/node-client.js';
import { createPgSchema } from '../support/pg-schema.js';
import { firstStartNotice, type ServeProcess, startServe, stopServe } from '../support/serve-process.js';
import { freePort, runErrata } from '../support/server.js';
import { waitFor } from '../support/wait.js';

// `errata backup` of a SQLite install while events pour in, and `errata restore` of that backup
// into a fresh data directory: a server on the restored directory has every event that was
// acknowledged (200 with its id) before the backup began, as its API shows. Restore refuses while
// the install runs. On PostgreSQL both commands point to pg_dump and pg_restore.

const SENDERS = 8;

const describeOnSqlite = TEST_ENGINES.includes('sqlite') ? describe : describe.skip;

interface Ack {
  readonly eventId: string;
  readonly at: number;
}

describeOnSqlite('backup and restore of a SQLite install', () => {
  let parent: string;
  let source: string;
  let serve: ServeProcess | undefined;
  let restored: ServeProcess | undefined;
  let base: string;
  let dsn: DsnParts;
  let token: string;
  let org: string;
  let project: string;

  beforeAll(async () => {
    parent = mkdtempSync(path.join(tmpdir(), 'errata-backup-'));
    source = path.join(parent, 'source');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    serve = await startServe({
      ERRATA_DATA_DIR: source,
      DATABASE_URL: '',
      ERRATA_PORT: String(port),
      ERRATA_LOG_LEVEL: 'warn',
    });
    const notice = firstStartNotice(serve.output());
    dsn = parseDsn(/DSN:\s+(\S+)/.exec(notice)?.[1] ?? '');
    token = /User token:\s+(\S+)/.exec(notice)?.[1] ?? '';
    [, org = '', project = ''] = /Organization (\S+), project (\S+)/.exec(notice) ?? [];
  });
  afterAll(async () => {
    if (serve) await stopServe(serve);
    if (restored) await stopServe(restored);
    rmSync(parent, { recursive: true, force: true });
  });

  it('copies every event acknowledged before the backup began, while ingest goes on', {
    timeout: 240_000,
  }, async () => {
    const acks: Ack[] = [];
    const refused: string[] = [];
    let sending = true;
    const sender = async () => {
      while (sending) {
        const eventId = newEventId();
        const answer = await postEnvelope(base, dsn, envelopeOf(errorEvent(eventId, 'BackupLoad')));
        if (answer.status === 200 && (answer.body as { id?: string })?.id === eventId) {
          acks.push({ eventId, at: performance.now() });
        } else refused.push(`${answer.status} ${answer.failure ?? JSON.stringify(answer.body)}`);
      }
    };
    const load = Promise.all(Array.from({ length: SENDERS }, sender));
    let backupStartedAt = 0;
    const file = path.join(parent, 'errata-backup.sqlite');
    let result: Awaited<ReturnType<typeof runErrata>>;
    try {
      await waitFor(() => acks.length >= 200, { timeoutMs: 60_000, what: '200 events acknowledged' });
      backupStartedAt = performance.now();
      result = await runErrata(['backup', file], { ERRATA_DATA_DIR: source, DATABASE_URL: '' });
      // Ingest goes on after the copy, too: what comes after it is not in it, and need not be.
      const after = acks.length;
      await waitFor(() => acks.length >= after + 50, {
        timeoutMs: 60_000,
        what: 'more events after the backup',
      });
    } finally {
      sending = false;
      await load;
    }
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^backed up .* to .*errata-backup\.sqlite \(\d+ bytes, \d+ ms\)$/m);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(refused).toEqual([]);
    const before = acks.filter((a) => a.at < backupStartedAt);
    const during = acks.filter((a) => a.at >= backupStartedAt);
    console.log('acknowledged before the backup', before.length, 'after it began', during.length);
    expect(during.length).toBeGreaterThan(0);

    // The install runs: restore refuses, and changes nothing.
    const busy = await runErrata(['restore', file], { ERRATA_DATA_DIR: source, DATABASE_URL: '' });
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/is in use: stop every errata process/);
    expect(existsSync(path.join(source, 'errata.sqlite'))).toBe(true);

    const fresh = path.join(parent, 'restored');
    const put = await runErrata(['restore', file], { ERRATA_DATA_DIR: fresh, DATABASE_URL: '' });
    expect(put.code, put.stderr).toBe(0);
    expect(put.stdout).toMatch(/^restored .* to .*restored\/errata\.sqlite$/m);

    const port = await freePort();
    const restoredBase = `http://127.0.0.1:${port}`;
    restored = await startServe({
      ERRATA_DATA_DIR: fresh,
      DATABASE_URL: '',
      ERRATA_PORT: String(port),
      ERRATA_LOG_LEVEL: 'warn',
    });
    // The restored install is the same install: no first start, the same token opens it.
    expect(restored.output()).not.toContain('First start');
    const missing = await waitFor(
      async () => {
        const answers = await inParallel(before.length, 8, async (i) => {
          const { eventId } = before[i] as Ack;
          const answer = await api(
            restoredBase,
            token,
            'GET',
            `projects/${org}/${project}/events/${eventId}/`,
          );
          return answer.status === 200 ? null : `${eventId}: ${answer.status}`;
        });
        const gone = answers.filter((a) => a !== null);
        // Acknowledged envelopes that were still waiting for digest are digested after the start.
        return gone.length === 0 ? gone : false;
      },
      {
        timeoutMs: 60_000,
        intervalMs: 500,
        what: 'every event acknowledged before the backup on the restored install',
      },
    );
    expect(missing).toEqual([]);
  });

  it('refuses a file that is no Errata database, and a backup file that exists', async () => {
    const junk = path.join(parent, 'junk.sqlite');
    writeFileSync(junk, 'not a database at all');
    const bad = await runErrata(['restore', junk], {
      ERRATA_DATA_DIR: path.join(parent, 'other'),
      DATABASE_URL: '',
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /cannot be (opened|read) as a SQLite database|is not an Errata database|is damaged/,
    );
    expect(existsSync(path.join(parent, 'other', 'errata.sqlite'))).toBe(false);

    const taken = await runErrata(['backup', junk], { ERRATA_DATA_DIR: source, DATABASE_URL: '' });
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/exists already/);
  });
});

const describeOnPostgres = TEST_ENGINES.includes('postgres') ? describe : describe.skip;

describeOnPostgres('backup and restore on PostgreSQL', () => {
  it('points to pg_dump and pg_restore', async () => {
    const schema = await createPgSchema('errata_backup');
    try {
      for (const command of ['backup', 'restore']) {
        const result = await runErrata([command, path.join(tmpdir(), 'unused.dump')], {
          DATABASE_URL: schema.url(),
        });
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(
          /DATABASE_URL is PostgreSQL: back it up with pg_dump and restore it with pg_restore/,
        );
      }
    } finally {
      await schema.drop();
    }
  });
});
