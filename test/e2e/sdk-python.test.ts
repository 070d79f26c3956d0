import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAttachmentsByEvent } from '../../src/store/region/attachments.js';
import { TEST_ENGINES } from '../support/engines.js';
import {
  type ApiEvent,
  type ApiExceptionValue,
  apiGet,
  DRIVERS,
  driverReports,
  entryOf,
  exceptionValues,
  inAppFrames,
  lineOf,
  makeSdkProject,
  poll,
  reported,
  type SdkProject,
  SYSTEM_PYTHON,
  tagsOf,
  waitForEvent,
} from '../support/sdk.js';
import { run, startTestServer, type TestServer } from '../support/server.js';

// The real Python SDK (Debian's python3-sentry-sdk 1.9.10 under /usr/bin/python3; .ci/run installs
// it) sending to a listening Errata: errors and messages go to /store/, attachments and
// transactions to /envelope/, all gzipped. Driver: drivers/python-sdk.py.

const DRIVER = path.join(DRIVERS, 'python-sdk.py');

const driverLine = (text: string) => lineOf(DRIVER, text);
/** [function, line] of each in-app frame, oldest call first. */
const inAppCalls = (value: ApiExceptionValue | undefined) =>
  inAppFrames(value).map((f) => [f.function, f.lineNo]);

describe.each(TEST_ENGINES)('python sentry_sdk against Errata on %s', (engine) => {
  let t: TestServer;
  let p: SdkProject;
  let reports: Map<string, Record<string, unknown>>;
  let sdkVersion: string;
  let pythonVersion: string;

  beforeAll(async () => {
    const probe = await run(SYSTEM_PYTHON, [
      '-c',
      'import platform, sentry_sdk; print(sentry_sdk.VERSION, platform.python_version())',
    ]);
    if (probe.code !== 0) {
      throw new Error(
        `${SYSTEM_PYTHON} cannot import sentry_sdk; install it: apt-get install -y python3-sentry-sdk\n${probe.stderr}`,
      );
    }
    [sdkVersion = '', pythonVersion = ''] = probe.stdout.trim().split(' ');
    t = await startTestServer(engine);
    p = await makeSdkProject(t, 'python');
    // The driver may wait up to its shutdown_timeout (30 s) for the server to take what it queued.
    const result = await run(SYSTEM_PYTHON, [DRIVER], { env: { SENTRY_DSN: p.dsn }, timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    reports = driverReports(result.stdout);
  }, 120_000);
  afterAll(() => t?.close());

  it('keeps the chain of `raise ... from ...`, innermost first, with in-app frames and line numbers', async () => {
    const event = await waitForEvent(t, p, reported(reports, 'exception'));
    const values = exceptionValues(event);
    expect(values.map((v) => [v.type, v.value])).toEqual([
      ['KeyError', "'price'"],
      ['ValueError', 'bad order line'],
    ]);
    const [cause, outer] = values;
    expect(inAppCalls(cause)).toEqual([
      ['order_total', driverLine('return sum(price_of(line)')],
      ['<genexpr>', driverLine('return sum(price_of(line)')],
      ['price_of', driverLine('return line["price"] * line["quantity"]')],
    ]);
    expect(inAppCalls(outer)).toEqual([
      ['<module>', driverLine('order_total({"lines": [{"quantity": 2}]})')],
      ['order_total', driverLine('raise ValueError("bad order line") from err')],
    ]);
    expect(event).toMatchObject({ title: 'ValueError: bad order line', platform: 'python', type: 'error' });
  });

  it('keeps user, tags, breadcrumbs, contexts, release, environment and the SDK', async () => {
    const event = await waitForEvent(t, p, reported(reports, 'exception'));
    expect(event.user).toMatchObject({ id: 'user-42', email: 'ada@example.com', username: 'ada' });
    expect(tagsOf(event)).toMatchObject({
      feature: 'checkout',
      tenant: 'acme-co',
      level: 'error',
      environment: 'e2e',
      release: 'shop@2.4.0',
      server_name: 'e2e-host',
      user: 'id:user-42',
      'runtime.name': 'CPython',
    });
    const crumbs = (entryOf(event, 'breadcrumbs')?.values ?? []) as { category: string; message: string }[];
    expect(crumbs.map((c) => [c.category, c.message])).toEqual([
      ['cart', 'added item'],
      ['checkout', 'clicked pay'],
    ]);
    expect(event.contexts.runtime).toMatchObject({ name: 'CPython', version: pythonVersion });
    expect(event.contexts.order).toMatchObject({ id: 1234, total: 9.5 });
    expect(event.sdk).toMatchObject({ name: 'sentry.python', version: sdkVersion });
    expect(event.release).toEqual({ version: 'shop@2.4.0' });
    expect(event.environment).toBe('e2e');
  });

  it('stores capture_message as a message event with its level', async () => {
    const event = await waitForEvent(t, p, reported(reports, 'message'));
    expect(entryOf(event, 'message')).toMatchObject({ formatted: 'payment provider slow' });
    expect(event).toMatchObject({ title: 'payment provider slow', message: 'payment provider slow' });
    expect(tagsOf(event).level).toBe('warning');
  });

  it('formats a logging error from its %s/%d template and params, and keeps the template', async () => {
    const event = await waitForEvent(t, p, reported(reports, 'logging'));
    expect(entryOf(event, 'message')).toEqual({
      formatted: 'order A-1 failed after 3 tries',
      message: 'order %s failed after %d tries',
      params: ['A-1', 3],
    });
    expect(event).toMatchObject({ title: 'order A-1 failed after 3 tries' });
    expect(tagsOf(event)).toMatchObject({ logger: 'shop.orders', level: 'error' });
  });

  it('stores the attachment of an event sent as an envelope', async () => {
    const event = await waitForEvent(t, p, reported(reports, 'attachment'));
    expect(exceptionValues(event).at(-1)).toMatchObject({
      type: 'RuntimeError',
      value: 'quantity out of range',
    });
    const attachments = await findAttachmentsByEvent(t.server.ctx.db.region, p.projectId, event.eventID);
    expect(attachments.map((a) => [a.name, a.contentType, Buffer.from(a.data).toString()])).toEqual([
      ['notes.txt', 'text/plain', 'line one\nline two\n'],
    ]);
  });

  it('stores the transaction as an event of its trace, with its spans', async () => {
    const traceId = reported(reports, 'transaction', 'traceId');
    const transaction = await poll('the transaction', async () => {
      const { body } = await apiGet<ApiEvent[]>(t, p, `projects/${p.org}/${p.project}/events/?full=true`);
      return body.find((e) => e.type === 'transaction' && e.contexts.trace?.trace_id === traceId);
    });
    expect(transaction).toMatchObject({ title: 'process-order', platform: 'python' });
    expect(transaction.contexts.trace).toMatchObject({ op: 'task' });
    const spans = await t.server.ctx.db.region
      .selectFrom('spans')
      .select(['description', 'op'])
      .where('project_id', '=', p.projectId)
      .where('trace_id', '=', traceId)
      .orderBy('start_timestamp')
      .orderBy('id')
      .execute();
    expect(spans.map((s) => [s.op, s.description])).toEqual([
      ['task', 'process-order'],
      ['db.query', 'load order'],
      ['http.client', 'charge card'],
    ]);
  });
});
