import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ENGINES } from '../support/engines.js';
import {
  apiGet,
  DRIVERS,
  driverReports,
  makeSdkProject,
  poll,
  reported,
  type SdkProject,
  SYSTEM_PYTHON,
  waitForEvent,
} from '../support/sdk.js';
import { run, startTestServer, type TestServer } from '../support/server.js';

// User feedback from real SDKs against a listening Errata: @sentry/node's captureFeedback (tied to
// an error and alone) and Python's report about an error, read back through the project's,
// the organization's and the issue's feedback lists and on the event. Drivers: drivers/*-feedback.*.

interface Report {
  id: string;
  eventID: string | null;
  event: { id: string | null; eventID: string | null };
  name: string;
  email: string;
  comments: string;
  source: string;
  url: string | null;
  issue: { id: string } | null;
}

async function runDriver(command: string, script: string, p: SdkProject) {
  const result = await run(command, [path.join(DRIVERS, script)], {
    env: { SENTRY_DSN: p.dsn },
    timeoutMs: 60_000,
  });
  expect(result.code, result.stderr).toBe(0);
  return driverReports(result.stdout);
}

/** The project's reports once `count` of them are stored (newest first). */
function reportsOf(t: TestServer, p: SdkProject, count: number) {
  return poll(`${count} reports`, async () => {
    const { body } = await apiGet<Report[]>(t, p, `projects/${p.org}/${p.project}/user-feedback/`);
    return body.length >= count ? body : undefined;
  });
}

describe.each(TEST_ENGINES)('user feedback from SDKs on %s', (engine) => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer(engine);
  });
  afterAll(() => t?.close());

  it('@sentry/node captureFeedback, tied to an error and alone, in every list and on the event', async () => {
    const p = await makeSdkProject(t, 'node-feedback');
    const reports = await runDriver(process.execPath, 'node-feedback.mjs', p);
    const errorId = reported(reports, 'error');
    const event = await waitForEvent(t, p, errorId);
    const [alone, tied, ...more] = await reportsOf(t, p, 2);
    expect(more).toEqual([]);
    expect(tied).toMatchObject({
      eventID: errorId,
      event: { id: errorId, eventID: errorId },
      name: 'Ada',
      email: 'ada@example.com',
      comments: 'The pay button did nothing',
      url: 'https://shop.example/checkout',
      source: 'feedback',
      issue: { id: event.groupID },
    });
    expect(alone).toMatchObject({
      eventID: null,
      issue: null,
      name: 'Bob',
      email: 'bob@example.com',
      comments: 'Love the new menu',
      source: 'feedback',
    });

    const org = await apiGet<Report[]>(t, p, `organizations/${p.org}/user-feedback/`);
    expect(org.body.map((r) => r.id)).toEqual([alone?.id, tied?.id]);
    const ofIssue = await apiGet<Report[]>(
      t,
      p,
      `organizations/${p.org}/issues/${event.groupID}/user-feedback/`,
    );
    expect(ofIssue.body.map((r) => r.id)).toEqual([tied?.id]);
    const detail = await apiGet<{ userReport: Report }>(
      t,
      p,
      `projects/${p.org}/${p.project}/events/${errorId}/`,
    );
    expect(detail.body.userReport).toMatchObject({ id: tied?.id, comments: 'The pay button did nothing' });
  });

  it("Python sentry_sdk's report about an error, in every list and on the event", async () => {
    const p = await makeSdkProject(t, 'python-feedback');
    const reports = await runDriver(SYSTEM_PYTHON, 'python-feedback.py', p);
    const errorId = reported(reports, 'error');
    const event = await waitForEvent(t, p, errorId);
    const [report] = await reportsOf(t, p, 1);
    expect(report).toMatchObject({
      eventID: errorId,
      event: { id: errorId },
      name: 'Cy',
      email: 'cy@example.com',
      comments: 'Prices vanished',
      source: 'user_report',
      issue: { id: event.groupID },
    });
    const org = await apiGet<Report[]>(t, p, `organizations/${p.org}/user-feedback/`);
    expect(org.body.map((r) => r.id)).toEqual([report?.id]);
    const ofIssue = await apiGet<Report[]>(t, p, `issues/${event.groupID}/user-reports/`);
    expect(ofIssue.body.map((r) => r.id)).toEqual([report?.id]);
    const detail = await apiGet<{ userReport: Report }>(
      t,
      p,
      `projects/${p.org}/${p.project}/events/${errorId}/`,
    );
    expect(detail.body.userReport).toMatchObject({ id: report?.id, name: 'Cy' });
  });
});
