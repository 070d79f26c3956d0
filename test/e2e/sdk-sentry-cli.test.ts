import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ENGINES } from '../support/engines.js';
import {
  entryOf,
  listIssues,
  makeSdkProject,
  type SdkProject,
  tagsOf,
  waitForEvent,
} from '../support/sdk.js';
import { run, SENTRY_CLI, startTestServer, type TestServer } from '../support/server.js';

// `sentry-cli send-event` (npm @sentry/cli 3.8.0) with SENTRY_DSN, against a listening Errata; the
// event is read back through the REST API.
describe.each(TEST_ENGINES)('sentry-cli send-event against Errata on %s', (engine) => {
  let t: TestServer;
  let p: SdkProject;
  let home: string;

  /** Runs send-event and returns the event id it printed (`Event id: <dashed uuid>`). */
  async function sendEvent(...args: string[]): Promise<string> {
    // --no-environ: otherwise send-event ships this process's environment variables in the event.
    const r = await run(SENTRY_CLI, ['send-event', '--no-environ', ...args], {
      env: { SENTRY_DSN: p.dsn, HOME: home, SENTRY_LOG_LEVEL: 'warn' },
      timeoutMs: 30_000,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Event dispatched.');
    const id = /Event id: ([0-9a-f-]{36})/.exec(r.stdout)?.[1];
    if (!id) throw new Error(`send-event printed no event id:\n${r.stdout}`);
    return id;
  }

  beforeAll(async () => {
    home = mkdtempSync(path.join(tmpdir(), 'errata-sentry-cli-'));
    t = await startTestServer(engine);
    p = await makeSdkProject(t, 'cli');
  });
  afterAll(async () => {
    await t?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('an event sent with a message, a tag, a user and a fingerprint is readable with them', async () => {
    const id = await sendEvent(
      '-m',
      'hello world',
      '-t',
      'key:value',
      '--fingerprint',
      'custom',
      '-u',
      'id:cli-user',
    );
    const event = await waitForEvent(t, p, id);
    expect(event.eventID).toBe(id.replaceAll('-', ''));
    expect(entryOf(event, 'message')).toMatchObject({ formatted: 'hello world' });
    expect(event).toMatchObject({ title: 'hello world', message: 'hello world' });
    expect(tagsOf(event)).toMatchObject({ key: 'value', level: 'error' });
    expect(event.sdk).toMatchObject({ name: 'sentry-cli' });
    // sentry-cli asks for the sender's address with `ip_address: "{{auto}}"`, as browser SDKs do.
    expect(event.user).toMatchObject({ id: 'cli-user', ip_address: '127.0.0.1' });
  });

  it('two events with the same fingerprint and different messages are one issue', async () => {
    const first = await waitForEvent(t, p, await sendEvent('-m', 'first message', '--fingerprint', 'shared'));
    const second = await waitForEvent(
      t,
      p,
      await sendEvent('-m', 'a different message', '--fingerprint', 'shared'),
    );
    expect(second.groupID).toBe(first.groupID);
    const issue = (await listIssues(t, p)).find((i) => i.id === first.groupID);
    expect(issue).toMatchObject({ count: '2', title: 'first message' });
    const other = await waitForEvent(
      t,
      p,
      await sendEvent('-m', 'first message', '--fingerprint', 'another'),
    );
    expect(other.groupID).not.toBe(first.groupID);
  });
});
