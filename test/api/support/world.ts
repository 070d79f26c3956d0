import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { Method } from '../../../src/api/permissions.js';
import type { OrgRole, Scope } from '../../../src/auth/scopes.js';
import { serializeEnvelope } from '../../../src/protocol/envelope.js';
import { createOrgToken } from '../../../src/services/org-tokens.js';
import { createUserToken } from '../../../src/services/user-tokens.js';
import type { Organization, Project, ProjectKey, Team, User } from '../../../src/store/types.js';
import type { Harness, signIn } from '../../support/harness.js';

// What the route cases, the credential matrix, the role matrix and the bad-input tests share: the
// people and objects a case runs against, and the setup calls that make them through the API.

export const NOT_PROVIDED = 'Authentication credentials were not provided.';
export const NO_PERMISSION = 'You do not have permission to perform this action.';
export const NOT_FOUND = 'The requested resource does not exist';
export const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

export type Session = Awaited<ReturnType<typeof signIn>>;

/** What every case can use: the harness and the people, sessions and tokens made once per engine. */
export interface Env {
  readonly h: Harness;
  readonly owner: User;
  /** The owner's personal token with every scope, for setting things up through the API. */
  readonly full: string;
  readonly ownerSession: Session;
  /** A person who belongs to none of the organizations made for the cases; owns org B. */
  readonly outsider: User;
  readonly outsiderToken: string;
  readonly outsiderSession: Session;
  readonly orgB: Organization;
  readonly orgBToken: string;
  readonly expiredToken: string;
  readonly revokedOrgToken: string;
}

/** Organization A (owned by `owner`) with its first team, a project of that team and its key. */
export interface World {
  readonly org: Organization;
  readonly team: Team;
  readonly project: Project;
  readonly key: ProjectKey;
  /** An organization token of A (every scope unless the test says otherwise). */
  readonly orgToken: string;
  /** Text of organization A that no foreign caller may ever see. */
  readonly secrets: string[];
  /** The public URL of A's region, which its links and DSNs carry. */
  readonly url: string;
}

/**
 * Who makes the call a case's `check` judges. The credential matrix's rightful caller is the owner
 * (`rightful`); the role matrix names its caller, with the facts of it an answer depends on.
 */
export interface Who {
  readonly name: string;
  /** The caller's organization role; null for an organization token. */
  readonly role: OrgRole | null;
  /** Whether the caller may manage an invite of role member (docs/access-policy.md 7): sees invite links. */
  readonly inviteLinks: boolean;
}

export const RIGHTFUL: Who = { name: 'rightful', role: 'owner', inviteLinks: false };

/** One request of a case, against the world it was prepared in. */
export interface Prepared {
  readonly url: string;
  readonly payload?: unknown;
  /** The session a session-only route is called with; default the owner's. */
  readonly session?: Session;
  /** More text a foreign caller must not see (e.g. the name of the owner's token). */
  readonly secrets?: string[];
  /** Checks the 2xx answer given to an allowed caller, and its effect. */
  check(res: LightMyRequestResponse, who: Who): Promise<void> | void;
}

let seq = 0;
/** A number no other object of the run has used, for unique names. */
export const next = () => ++seq;

export async function call(
  env: Env,
  method: Method,
  url: string,
  payload?: unknown,
  token = env.full,
): Promise<LightMyRequestResponse> {
  return env.h.request({
    method,
    url,
    token,
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
}

/** A setup call through the API as the owner; it must succeed. */
export async function setup<T = Record<string, unknown>>(
  env: Env,
  method: Method,
  url: string,
  payload?: unknown,
): Promise<T> {
  const res = await call(env, method, url, payload);
  if (res.statusCode >= 300) throw new Error(`setup ${method} ${url}: ${res.statusCode} ${res.body}`);
  return (res.body === '' ? undefined : res.json()) as T;
}

/** Sends an envelope to the world's project with its DSN key, and waits until digest took it. */
export async function sendDigested(
  env: Env,
  w: World,
  envelope: Parameters<typeof serializeEnvelope>[0],
): Promise<void> {
  const sent = await env.h.ingest.inject({
    method: 'POST',
    url: `/api/${w.project.id}/envelope/`,
    payload: serializeEnvelope(envelope),
    headers: { 'x-sentry-auth': `Sentry sentry_key=${w.key.publicKey}, sentry_version=7` },
  });
  if (sent.statusCode !== 200) throw new Error(`ingest: ${sent.statusCode} ${sent.body}`);
  await env.h.worker.drain();
}

/** An invite made by the owner (to `email`, default a new address) and the token of its link. */
export async function invite(env: Env, w: World, teams: string[] = [], email?: string) {
  const member = await setup<{ id: string; email: string; invite_link: string }>(
    env,
    'POST',
    `/api/0/organizations/${w.org.slug}/members/`,
    { email: email ?? `invitee-${next()}@example.com`, teams, orgRole: 'member' },
  );
  const token = member.invite_link.split('/').filter(Boolean).at(-1) as string;
  return { ...member, token };
}

export async function addTeam(env: Env, w: World) {
  return setup<{ id: string; slug: string }>(env, 'POST', `/api/0/organizations/${w.org.slug}/teams/`, {
    slug: `extra-${next()}-z`,
  });
}

export async function ownerToken(env: Env, name: string) {
  return createUserToken(env.h.ctx, { userId: env.owner.id, scopes: ['org:read'], name });
}

export async function orgToken(env: Env, w: World, scopes: Scope[] = ['org:ci'], name = 'ci') {
  return createOrgToken(env.h.ctx, {
    organizationId: w.org.id,
    orgSlug: w.org.slug,
    name,
    scopes,
    createdById: env.owner.id,
  });
}

export type MadeIssue = Awaited<ReturnType<typeof withIssue>>;

/** Sends one error event to the world's project through ingest and digests it: an issue with one event. */
export async function withIssue(env: Env, w: World) {
  const n = next();
  const eventId = randomBytes(16).toString('hex');
  const title = `TypeError: boom-${n}-z`;
  const stored = await env.h.ingest.inject({
    method: 'POST',
    url: `/api/${w.project.id}/store/`,
    payload: {
      event_id: eventId,
      timestamp: env.h.ctx.now() / 1000,
      platform: 'node',
      level: 'error',
      exception: { values: [{ type: 'TypeError', value: `boom-${n}-z` }] },
      // An issue of its own, however many the project holds already.
      fingerprint: [`boom-${n}`],
    },
    headers: { 'x-sentry-auth': `Sentry sentry_key=${w.key.publicKey}, sentry_version=7` },
  });
  if (stored.statusCode !== 200) throw new Error(`ingest: ${stored.statusCode} ${stored.body}`);
  await env.h.worker.drain();
  const issues = await setup<{ id: string; shortId: string; title: string }[]>(
    env,
    'GET',
    `/api/0/projects/${w.org.slug}/${w.project.slug}/issues/?query=boom-${n}-z`,
  );
  const issue = issues.find((i) => i.title === title);
  if (!issue) throw new Error('the event made no issue');
  // The search that finds this issue alone among the many of a shared world.
  return { issueId: issue.id, shortId: issue.shortId, eventId, title, search: `query=boom-${n}-z` };
}

/** An event with a text attachment, sent as an envelope the way SDKs send files, and digested. */
export async function withAttachment(env: Env, w: World) {
  const eventId = randomBytes(16).toString('hex');
  const content = `log line ${next()}\n`;
  const body = [
    JSON.stringify({ event_id: eventId }),
    JSON.stringify({ type: 'event' }),
    JSON.stringify({ level: 'error', message: 'with a file', timestamp: env.h.ctx.now() / 1000 }),
    JSON.stringify({
      type: 'attachment',
      length: Buffer.byteLength(content),
      filename: 'app.log',
      content_type: 'text/plain',
    }),
    content,
  ].join('\n');
  const sent = await env.h.ingest.inject({
    method: 'POST',
    url: `/api/${w.project.id}/envelope/?sentry_key=${w.key.publicKey}&sentry_version=7`,
    payload: body,
  });
  if (sent.statusCode !== 200) throw new Error(`ingest: ${sent.statusCode} ${sent.body}`);
  await env.h.worker.drain();
  const [attachment] = await env.h.ctx.db.region
    .selectFrom('attachments')
    .select('id')
    .where('event_id', '=', eventId)
    .execute();
  if (!attachment) throw new Error('the attachment was not stored');
  return { eventId, content, attachmentId: String(attachment.id) };
}

/** The checks every issue answer gets: the world's project and the event's title. */
export function expectIssue(body: unknown, w: World, issue: MadeIssue) {
  expect(body).toMatchObject({
    id: issue.issueId,
    shortId: issue.shortId,
    title: issue.title,
    status: 'unresolved',
    level: 'error',
    project: { id: String(w.project.id), slug: w.project.slug },
    permalink: `${w.url}/organizations/${w.org.slug}/issues/${issue.issueId}/`,
  });
}

export function expectEvent(body: unknown, w: World, issue: MadeIssue) {
  expect(body).toMatchObject({
    id: issue.eventId,
    eventID: issue.eventId,
    groupID: issue.issueId,
    projectID: String(w.project.id),
    title: issue.title,
    dateCreated: expect.stringMatching(ISO),
  });
}

/** The one element of a list answer with this id (lists in a shared world hold others' objects too). */
export function findIn(res: LightMyRequestResponse, key: string, value: string): unknown {
  const found = (res.json() as Record<string, unknown>[]).filter((x) => x[key] === value);
  expect(found, `${key}=${value} in the list`).toHaveLength(1);
  return found[0];
}

export function expectNotFound(res: LightMyRequestResponse) {
  expect(res.statusCode).toBe(404);
  expect(res.json()).toEqual({ detail: NOT_FOUND });
}
