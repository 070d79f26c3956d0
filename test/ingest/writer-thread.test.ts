// The writer thread: started only when there is work, and left-over envelopes are digested.
import { afterEach, describe, expect, it } from 'vitest';
import { WriterThread } from '../../src/jobs/writer-thread.js';
import { countRawEnvelopes, kyselyRawQueue } from '../../src/store/region/raw-queue.js';
import { STORE_UNAVAILABLE } from '../../src/store/unavailable.js';
import { openTestDatabase, TEST_ENGINES, type TestDatabase } from '../support/engines.js';
import { errorEvent } from '../support/envelopes.js';
import { makeOrg, makeProject, makeUser, testConfig } from '../support/harness.js';
import { RecordingMailer } from '../support/mail.js';
import { waitFor } from '../support/wait.js';

describe.each(TEST_ENGINES)('the writer thread on %s', (engine) => {
  let database: TestDatabase;
  let thread: WriterThread | undefined;
  afterEach(async () => {
    await thread?.close();
    await database.drop();
  });

  async function world() {
    database = await openTestDatabase(engine);
    const ctx = {
      db: database.db,
      config: testConfig(),
      mailer: new RecordingMailer(),
      now: () => Date.now(),
    };
    const owner = await makeUser(ctx);
    const { org, team } = await makeOrg(ctx, owner);
    const { project, key } = await makeProject(ctx, org, team);
    const region = database.db.region;
    const newThread = (log: { error(o: unknown, msg: string): void } = { error: () => {} }) =>
      new WriterThread({
        target: database.db.target,
        digestConcurrency: 1,
        digestBatchSize: 50,
        digestPollMs: 1000,
        baseUrl: 'http://errata.test',
        log: { ...log, warn: () => {} } as never,
        pendingWork: async () => (await countRawEnvelopes(region)) > 0,
      });
    const raw = (event: Record<string, unknown>) => ({
      projectId: project.id,
      keyId: key.id,
      kind: 'store' as const,
      receivedAt: Date.now(),
      eventId: event.event_id as string,
      clientIp: null,
      payload: Buffer.from(JSON.stringify(event)),
      encoding: null,
    });
    const events = () => region.selectFrom('events').select('event_id').execute();
    return { region, newThread, raw, events };
  }

  it('runs no thread until the first envelope, then commits and digests it', async () => {
    const { newThread, raw, events } = await world();
    thread = newThread();
    thread.digest.start();
    await thread.digest.drain();
    expect(thread.running).toBe(false);
    const event = errorEvent();
    await thread.writer.add(raw(event));
    expect(thread.running).toBe(true);
    await thread.digest.drain();
    expect(await events()).toEqual([{ event_id: event.event_id }]);
    expect(thread.digest.digested).toBe(1);
  });

  it('starts again after the thread dies: what it held fails (503 at ingest), what comes after is kept', async () => {
    const { newThread, raw, events } = await world();
    const errors: string[] = [];
    thread = newThread({ error: (_o, msg) => errors.push(msg) });
    thread.digest.start();
    const first = errorEvent();
    await thread.writer.add(raw(first));
    // A message the thread does not know ends it (see writer-thread-entry.ts).
    (thread as unknown as { post(message: unknown): void }).post({ t: 'bogus' });
    await waitFor(() => errors.includes('writer thread failed'), { what: 'the thread to fail' });
    const during = await thread.writer.add(raw(errorEvent())).then(
      () => 'stored',
      (error: { code?: string }) => error.code,
    );
    // Refused while it starts again; the code makes ingest answer 503 (store/unavailable.ts).
    expect(during).toBe(STORE_UNAVAILABLE);
    const after = errorEvent();
    await waitFor(
      () =>
        thread?.writer.add(raw(after)).then(
          () => true,
          () => false,
        ),
      { intervalMs: 200, what: 'the thread to take envelopes again' },
    );
    await thread.digest.drain();
    expect((await events()).map((e) => e.event_id).sort()).toEqual([first.event_id, after.event_id].sort());
  });

  it('starts at once for envelopes left from before a restart, and digests them', async () => {
    const { region, newThread, raw, events } = await world();
    const left = [errorEvent(), errorEvent()];
    await kyselyRawQueue(region, engine).add(left.map(raw));
    thread = newThread();
    thread.digest.start();
    await waitFor(() => thread?.running, { what: 'the thread to start' });
    // Starting a worker thread through tsx takes seconds on a loaded machine.
    await waitFor(async () => (await events()).length === 2, { what: 'the left-over envelopes digested' });
    expect(await countRawEnvelopes(region)).toBe(0);
  });
});
