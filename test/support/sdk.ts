// Helpers for tests that point a real client (SDK, sentry-cli) at a listening Errata and read
// what it sent back through the REST API, the way a user would.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { formatPublicDsn } from '../../src/services/projects.js';
import { countRawEnvelopes } from '../../src/store/region/raw-queue.js';
import { makeOrg, makeProject, makeToken, makeUser } from './harness.js';
import { ROOT, type TestServer } from './server.js';
import { waitFor } from './wait.js';

export const DRIVERS = path.join(ROOT, 'test/e2e/drivers');

/** Debian's interpreter: the `python3` first on PATH (pyenv) does not see `python3-sentry-sdk`. */
export const SYSTEM_PYTHON = '/usr/bin/python3';

export interface SdkProject {
  readonly org: string;
  readonly project: string;
  readonly projectId: number;
  readonly dsn: string;
  /** A user token that can read issues and events (and what else makeSdkProject was asked for). */
  readonly token: string;
}

/**
 * A new organization with one project on the server, its DSN, and a token of its owner that can
 * read issues and events (and do more, with other `scopes`).
 */
export async function makeSdkProject(
  t: TestServer,
  slug: string,
  scopes: readonly string[] = ['org:read', 'project:read', 'event:read'],
): Promise<SdkProject> {
  const ctx = t.server.ctx;
  const owner = await makeUser(ctx);
  const { org, team } = await makeOrg(ctx, owner, `${slug}-org`);
  const { project, key } = await makeProject(ctx, org, team, slug);
  return {
    org: org.slug,
    project: project.slug,
    projectId: project.id,
    dsn: formatPublicDsn(t.url, key),
    token: await makeToken(ctx, owner, [...scopes]),
  };
}

/** `GET /api/0/<path>` with the project owner's token: the status and the parsed JSON body. */
export async function apiGet<T = unknown>(
  t: TestServer,
  p: SdkProject,
  apiPath: string,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${t.url}/api/0/${apiPath}`, {
    headers: { authorization: `Bearer ${p.token}` },
  });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? null : JSON.parse(text)) as T };
}

/**
 * Calls `probe` until it returns something other than undefined, at most `timeoutMs`: the only
 * kind of waiting these tests do (digest runs off the request path).
 */
export async function poll<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  return waitFor(probe, { what, timeoutMs });
}

/** Resolves once digest has turned every raw envelope ingest committed so far into rows. */
export async function waitForDigest(t: TestServer): Promise<void> {
  await poll('digest to catch up', async () =>
    (await countRawEnvelopes(t.server.ctx.db.region)) === 0 ? true : undefined,
  );
}

type Json = Record<string, unknown>;

/** The subset of Sentry's event JSON these tests read. */
export interface ApiEvent {
  readonly eventID: string;
  readonly groupID: string | null;
  readonly title: string;
  readonly message: string;
  readonly type: string;
  readonly platform: string;
  readonly entries: { type: string; data: Json }[];
  readonly contexts: Record<string, Json>;
  readonly tags: { key: string; value: string }[];
  readonly user: Json | null;
  readonly sdk: { name: string; version: string } | null;
  readonly release: { version: string } | null;
  readonly environment: string | null;
  readonly context: Json;
}

/** The event once digest has stored it: `GET /projects/:org/:project/events/:id/`, polled. */
export function waitForEvent(t: TestServer, p: SdkProject, eventId: string): Promise<ApiEvent> {
  return poll(`event ${eventId}`, async () => {
    const { status, body } = await apiGet<ApiEvent>(
      t,
      p,
      `projects/${p.org}/${p.project}/events/${eventId.replaceAll('-', '')}/`,
    );
    if (status === 404) return undefined;
    if (status !== 200) throw new Error(`event ${eventId}: HTTP ${status} ${JSON.stringify(body)}`);
    return body;
  });
}

export interface ApiIssue {
  readonly id: string;
  readonly title: string;
  readonly count: string;
  readonly status: string;
}

/** Every issue of the project, any status (`query=` empty). */
export async function listIssues(t: TestServer, p: SdkProject): Promise<ApiIssue[]> {
  const { status, body } = await apiGet<ApiIssue[]>(t, p, `projects/${p.org}/${p.project}/issues/?query=`);
  if (status !== 200) throw new Error(`issues: HTTP ${status} ${JSON.stringify(body)}`);
  return body;
}

export interface ApiFrame {
  readonly function: string | null;
  readonly filename: string | null;
  readonly lineNo: number | null;
  readonly inApp: boolean;
}

export interface ApiExceptionValue {
  readonly type: string | null;
  readonly value: string | null;
  readonly mechanism: Record<string, unknown> | null;
  readonly stacktrace: { frames: ApiFrame[] } | null;
}

/** The exception chain of an API event, innermost cause first (as SDKs send it). */
export function exceptionValues(event: ApiEvent): ApiExceptionValue[] {
  return (entryOf(event, 'exception')?.values ?? []) as ApiExceptionValue[];
}

/** The in-app frames of one exception, oldest call first. */
export function inAppFrames(value: ApiExceptionValue | undefined): ApiFrame[] {
  return (value?.stacktrace?.frames ?? []).filter((f) => f.inApp);
}

/** The 1-based number of the first line of `file` that contains `text`, to check frame line numbers. */
export function lineOf(file: string, text: string): number {
  const index = readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((line) => line.includes(text));
  if (index < 0) throw new Error(`no line with ${text} in ${file}`);
  return index + 1;
}

/** The entry of one type (`exception`, `message`, `breadcrumbs` …) of an API event. */
export function entryOf(event: ApiEvent, type: string): Json | undefined {
  return event.entries.find((e) => e.type === type)?.data;
}

export function tagsOf(event: ApiEvent): Record<string, string> {
  return Object.fromEntries(event.tags.map((t) => [t.key, t.value]));
}

/** A driver's stdout, one JSON object per line with a `label`, as a map by label. */
export function driverReports(stdout: string): Map<string, Json> {
  const reports = new Map<string, Json>();
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue;
    const report = JSON.parse(line) as Json;
    reports.set(String(report.label), report);
  }
  return reports;
}

/** The reported value of `field` under `label`, or a clear failure when the driver did not report it. */
export function reported(reports: Map<string, Json>, label: string, field = 'id'): string {
  const value = reports.get(label)?.[field];
  if (typeof value !== 'string') throw new Error(`the driver reported no ${field} for ${label}`);
  return value;
}
