import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAttachmentsByEvent } from '../../src/store/region/attachments.js';
import { findReleaseHealth } from '../../src/store/region/release-health.js';
import { TEST_ENGINES } from '../support/engines.js';
import {
  type ApiEvent,
  apiGet,
  DRIVERS,
  driverReports,
  entryOf,
  exceptionValues,
  inAppFrames,
  lineOf,
  listIssues,
  makeSdkProject,
  reported,
  type SdkProject,
  tagsOf,
  waitForDigest,
  waitForEvent,
} from '../support/sdk.js';
import { ROOT, run, startTestServer, type TestServer } from '../support/server.js';

// The real @sentry/node 11 (node_modules) in a child process, sending to a listening Errata; what
// it sent is read back through the REST API as a user would. Driver: drivers/node-sdk.mjs.

const DRIVER = path.join(DRIVERS, 'node-sdk.mjs');
const SDK_VERSION = (
  JSON.parse(readFileSync(path.join(ROOT, 'node_modules/@sentry/node/package.json'), 'utf8')) as {
    version: string;
  }
).version;

const driverLine = (text: string) => lineOf(DRIVER, text);

async function runDriver(p: SdkProject, ...args: string[]) {
  return runDriverAs(p, undefined, ...args);
}

/** Runs the driver with the SDK's release set to `release` (the driver's default when undefined). */
async function runDriverAs(p: SdkProject, release: string | undefined, ...args: string[]) {
  const result = await run(process.execPath, [DRIVER, ...args], {
    env: { SENTRY_DSN: p.dsn, ...(release === undefined ? {} : { DRIVER_RELEASE: release }) },
    timeoutMs: 30_000,
  });
  expect(result.code, result.stderr).toBe(0);
  return driverReports(result.stdout);
}

describe.each(TEST_ENGINES)('@sentry/node 11 against Errata on %s', (engine) => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer(engine);
  });
  afterAll(() => t.close());

  describe('one run of everything: errors, message, attachment, sessions, spans', () => {
    let p: SdkProject;
    let reports: Map<string, Record<string, unknown>>;

    beforeAll(async () => {
      p = await makeSdkProject(t, 'node-all');
      reports = await runDriver(p, 'everything');
    });

    it('keeps the exception chain, innermost cause first, with in-app frames and line numbers', async () => {
      const event = await waitForEvent(t, p, reported(reports, 'exception'));
      const [cause, outer] = exceptionValues(event);
      expect(exceptionValues(event)).toHaveLength(2);
      expect(cause).toMatchObject({ type: 'SyntaxError', mechanism: { type: 'chained', source: 'cause' } });
      expect(cause?.value).toContain('JSON');
      expect(outer).toMatchObject({ type: 'Error', value: 'could not parse order' });
      // Sentry lists frames oldest call first: handleRequest called parseOrder, which threw.
      const frames = inAppFrames(outer).map((f) => [f.function, f.lineNo]);
      expect(frames.slice(-2)).toEqual([
        ['handleRequest', driverLine('return parseOrder(raw);')],
        ['parseOrder', driverLine("throw new Error('could not parse order'")],
      ]);
      expect(inAppFrames(cause).map((f) => f.function)).toContain('parseOrder');
      expect(event).toMatchObject({ title: 'Error: could not parse order', platform: 'node', type: 'error' });
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
        'runtime.name': 'node',
      });
      const crumbs = (entryOf(event, 'breadcrumbs')?.values ?? []) as { category: string; message: string }[];
      expect(crumbs.map((c) => [c.category, c.message])).toEqual(
        expect.arrayContaining([
          ['cart', 'added item'],
          ['checkout', 'clicked pay'],
        ]),
      );
      expect(event.contexts.os).toMatchObject({ name: expect.any(String), kernel_version: release() });
      expect(event.contexts.runtime).toMatchObject({ name: 'node', version: process.version });
      expect(event.contexts.order).toMatchObject({ id: 1234, total: 9.5 });
      expect(event.sdk).toMatchObject({ name: 'sentry.javascript.node', version: SDK_VERSION });
      expect(event.release).toEqual({ version: 'shop@2.4.0' });
      expect(event.environment).toBe('e2e');
    });

    it('stores captureMessage as a message event, titled by the message (not the synthetic exception)', async () => {
      const event = await waitForEvent(t, p, reported(reports, 'message'));
      expect(entryOf(event, 'message')).toMatchObject({ formatted: 'payment provider slow' });
      expect(event).toMatchObject({ title: 'payment provider slow', message: 'payment provider slow' });
      expect(tagsOf(event).level).toBe('warning');
    });

    it('stores both attachments of an event byte for byte', async () => {
      const eventId = reported(reports, 'attachment');
      const event = await waitForEvent(t, p, eventId);
      expect(exceptionValues(event).at(-1)).toMatchObject({
        type: 'RangeError',
        value: 'quantity out of range',
      });
      const attachments = await findAttachmentsByEvent(t.server.ctx.db.region, p.projectId, event.eventID);
      expect(attachments.map((a) => [a.name, a.contentType, Buffer.from(a.data).toString('hex')])).toEqual([
        ['notes.txt', 'text/plain', Buffer.from('line one\nline two\n').toString('hex')],
        ['blob.bin', 'application/octet-stream', '000aff0d0a01'],
      ]);
    });

    it('counts release health: the process session (errored) and one clean session', async () => {
      // Sentry.close() returned once every envelope was answered, so waiting for digest is enough.
      await waitForDigest(t);
      const buckets = await findReleaseHealth(t.server.ctx.db.region, p.projectId);
      const sum = (k: 'started' | 'exited' | 'errored' | 'crashed' | 'abnormal') =>
        buckets.reduce((n, b) => n + b[k], 0);
      expect([...new Set(buckets.map((b) => `${b.release} ${b.environment}`))]).toEqual(['shop@2.4.0 e2e']);
      expect({
        started: sum('started'),
        exited: sum('exited'),
        errored: sum('errored'),
        crashed: sum('crashed'),
        abnormal: sum('abnormal'),
      }).toEqual({ started: 2, exited: 1, errored: 1, crashed: 0, abnormal: 0 });
    });

    it('stores the transaction as spans of its trace (span streaming, the v11 default)', async () => {
      const traceId = reported(reports, 'transaction', 'traceId');
      await waitForDigest(t);
      const spans = await t.server.ctx.db.region
        .selectFrom('spans')
        .select(['description', 'op', 'parent_span_id', 'span_id'])
        .where('project_id', '=', p.projectId)
        .where('trace_id', '=', traceId)
        .execute();
      const byName = new Map(spans.map((s) => [s.description, s]));
      expect([...byName.keys()].sort()).toEqual(['charge card', 'load order', 'process-order']);
      const root = byName.get('process-order');
      expect(root).toMatchObject({ op: 'task', parent_span_id: null });
      expect(byName.get('load order')).toMatchObject({ op: 'db.query', parent_span_id: root?.span_id });
      expect(byName.get('charge card')).toMatchObject({ op: 'http.client', parent_span_id: root?.span_id });
    });
  });

  describe('grouping through the real SDK', () => {
    let p: SdkProject;
    let reports: Map<string, Record<string, unknown>>;
    const issueOf = async (label: string) => (await waitForEvent(t, p, reported(reports, label))).groupID;

    beforeAll(async () => {
      p = await makeSdkProject(t, 'node-grouping');
      reports = await runDriver(p, 'grouping');
    });

    it('the same error thrown twice from the same code is one issue with two events', async () => {
      const first = await issueOf('same-first');
      expect(await issueOf('same-second')).toBe(first);
      const issue = (await listIssues(t, p)).find((i) => i.id === first);
      expect(issue).toMatchObject({ title: 'TypeError: card declined', count: '2' });
      const events = await apiGet<{ eventID: string }[]>(t, p, `issues/${first}/events/`);
      expect(events.body.map((e) => e.eventID).sort()).toEqual(
        [reported(reports, 'same-first'), reported(reports, 'same-second')].sort(),
      );
    });

    it('the same error type thrown from another function is a second issue', async () => {
      expect(await issueOf('other-function')).not.toBe(await issueOf('same-first'));
    });

    it('a custom fingerprint merges two different errors into one issue', async () => {
      const issue = await issueOf('fingerprint-type');
      expect(await issueOf('fingerprint-range')).toBe(issue);
      expect(issue).not.toBe(await issueOf('same-first'));
      expect((await listIssues(t, p)).map((i) => i.id).sort()).toEqual(
        [...new Set([await issueOf('same-first'), await issueOf('other-function'), issue])].sort(),
      );
    });

    it('changing line numbers above the throwing code does not split the issue', async () => {
      const lines = await makeSdkProject(t, 'node-lines');
      const dir = mkdtempSync(path.join(tmpdir(), 'errata-node-lines-'));
      try {
        const file = path.join(dir, 'checkout.mjs');
        const code = [
          'function validateCart(cart) {',
          "  if (cart.items.length === 0) throw new Error('cart is empty');",
          '}',
          'export function run() {',
          '  validateCart({ items: [] });',
          '}',
        ];
        writeFileSync(file, `${code.join('\n')}\n`);
        const before = await runDriver(lines, 'throw-from', file);
        writeFileSync(file, `// a comment\n\nconst TAX_RATE = 0.2;\n\n${code.join('\n')}\n`);
        const after = await runDriver(lines, 'throw-from', file);

        const first = await waitForEvent(t, lines, reported(before, 'from-module'));
        const second = await waitForEvent(t, lines, reported(after, 'from-module'));
        const throwingLine = (event: ApiEvent) =>
          inAppFrames(exceptionValues(event).at(-1)).find((f) => f.function === 'validateCart')?.lineNo;
        expect([throwingLine(first), throwingLine(second)]).toEqual([2, 6]);
        expect(second.groupID).toBe(first.groupID);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
  describe('releases through the real SDK: new issues per release, search, resolve in the next release', () => {
    let p: SdkProject;
    type Issue = { id: string; title: string; status: string; substatus: string | null } & Record<
      string,
      unknown
    >;
    const get = async <T>(apiPath: string) => {
      const { status, body } = await apiGet<T>(t, p, apiPath);
      expect(status, JSON.stringify(body)).toBe(200);
      return body;
    };
    const titles = async (query: string) =>
      (await get<Issue[]>(`projects/${p.org}/${p.project}/issues/?query=${encodeURIComponent(query)}`))
        .map((i) => i.title)
        .sort();
    /** Runs the driver as `release`, capturing `labels`; answers each label's issue id once digested. */
    const capture = async (release: string, ...labels: string[]) => {
      const reports = await runDriverAs(p, release, 'releases', ...labels);
      const ids: Record<string, string> = {};
      for (const label of labels)
        ids[label] = (await waitForEvent(t, p, reported(reports, label))).groupID as string;
      return ids;
    };
    const CART = 'TypeError: cart total is NaN';
    const PAYMENT = 'Error: payment gateway timed out';
    const INVENTORY = 'RangeError: stock below zero';

    beforeAll(async () => {
      p = await makeSdkProject(t, 'node-releases', ['org:read', 'project:read', 'event:read', 'event:write']);
    });

    it('counts new issues per release and shows first and last releases', async () => {
      const first = await capture('checkout@1.0.0', 'cart', 'payment');
      const second = await capture('checkout@1.1.0', 'cart', 'inventory');
      expect(second.cart).toBe(first.cart);
      const releases = await get<{ version: string; newGroups: number; firstEvent: string | null }[]>(
        `projects/${p.org}/${p.project}/releases/`,
      );
      expect(releases.map((r) => [r.version, r.newGroups])).toEqual([
        ['checkout@1.1.0', 1],
        ['checkout@1.0.0', 2],
      ]);
      expect(releases.every((r) => typeof r.firstEvent === 'string')).toBe(true);
      const cart = await get<Issue>(`organizations/${p.org}/issues/${first.cart}/`);
      expect(cart.firstRelease).toMatchObject({
        version: 'checkout@1.0.0',
        shortVersion: '1.0.0',
        newGroups: 2,
      });
      expect(cart.lastRelease).toMatchObject({ version: 'checkout@1.1.0', newGroups: 1 });
      expect(await titles('release:latest')).toEqual([CART, INVENTORY].sort());
      expect(await titles('firstRelease:latest')).toEqual([INVENTORY]);
      expect(await titles('release:checkout@1.0.0')).toEqual([CART, PAYMENT].sort());
      expect(await titles('release.version:<1.1')).toEqual([CART, PAYMENT].sort());
    });

    it('resolved in the next release: the old release stays resolved, a new one regresses it', async () => {
      const { cart } = await capture('checkout@1.1.0', 'cart');
      const resolve = await fetch(`${t.url}/api/0/organizations/${p.org}/issues/${cart}/`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${p.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'resolved', statusDetails: { inNextRelease: true } }),
      });
      expect(resolve.status).toBe(200);
      expect(await resolve.json()).toMatchObject({
        status: 'resolved',
        statusDetails: { inNextRelease: true },
      });

      await capture('checkout@1.0.0', 'cart');
      await capture('checkout@1.1.0', 'cart');
      let issue = await get<Issue>(`organizations/${p.org}/issues/${cart}/`);
      expect([issue.status, issue.statusDetails]).toEqual([
        'resolved',
        { inNextRelease: true, actor: expect.objectContaining({ id: expect.any(String) }) },
      ]);

      await capture('checkout@1.2.0', 'cart');
      issue = await get<Issue>(`organizations/${p.org}/issues/${cart}/`);
      expect([issue.status, issue.substatus]).toEqual(['unresolved', 'regressed']);
      const activity = issue.activity as { type: string; data: Record<string, unknown> }[];
      expect(activity[0]).toMatchObject({ type: 'set_regression', data: { version: 'checkout@1.2.0' } });
      // checkout@1.2.0, made after the resolve, settled it into that release (as Sentry does).
      expect(activity[1]).toMatchObject({
        type: 'set_resolved_in_release',
        data: { version: 'checkout@1.2.0' },
      });
      expect(activity.at(-1)).toMatchObject({ id: '0', type: 'first_seen' });
      expect(issue.lastRelease).toMatchObject({ version: 'checkout@1.2.0' });
    });
  });
});
