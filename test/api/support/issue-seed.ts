// The issue API tests' world, made the way production makes issues: events posted to ingest (the
// envelope and store endpoints) and digested by the worker, then triaged through the API.
//
// `openIssueApi` gives a harness whose services read the caller's clock, with two people and two
// organizations: "acme" (where `seedIssues` puts a fixed set of issues for the read-only tests) and
// "lab" (where `labProject` makes a fresh project per test that changes issues). Each test file
// opens its own: nothing, the clock included, is shared between files.
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { Method } from '../../../src/api/permissions.js';
import type { Engine } from '../../../src/store/db.js';
import { insertMember } from '../../../src/store/region/members.js';
import { addTeamMember, insertTeam } from '../../../src/store/region/teams.js';
import type { Organization, ProjectKey, Team, User } from '../../../src/store/types.js';
import { postEnvelope, postStore } from '../../ingest/support.js';
import { envelopeOf, newEventId } from '../../support/envelopes.js';
import {
  createHarness,
  type Harness,
  makeOrg,
  makeProject,
  makeToken,
  makeUser,
} from '../../support/harness.js';
import { type Body, type Json, qs, tokenClient } from './api-client.js';

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

/** A time to open a world at: now, to the second, so that ISO strings compare exactly. */
export const wholeSecondNow = () => Math.floor(Date.now() / 1000) * 1000;

export interface IssueApi {
  readonly h: Harness;
  /** The services' clock: the one the world was opened with. */
  readonly now: () => number;
  readonly owner: User;
  readonly ownerToken: string;
  /** A member of acme (and of its team "backend"), not of lab. */
  readonly mira: User;
  readonly miraToken: string;
  readonly acme: Organization;
  readonly acmeTeam: Team;
  readonly backend: Team;
  readonly lab: Organization;
  readonly labTeam: Team;
  /** A request as the owner (or with `token`); a path without `/api/` is under `/api/0`. */
  send(method: Method, url: string, payload?: unknown, token?: string): Promise<LightMyRequestResponse>;
  /** As `send`, checking the status; the parsed body. */
  ok(status: number, method: Method, url: string, payload?: unknown, token?: string): Promise<Body>;
  get(url: string, token?: string): Promise<Body>;
  close(): Promise<void>;
}

/** A harness on `engine` over the clock `now`, with owner and mira, acme and lab. */
export async function openIssueApi(engine: Engine, now: () => number): Promise<IssueApi> {
  const h = await createHarness(engine, {}, { now });
  const owner = await makeUser(h.ctx, { email: 'owner@acme.test' });
  const mira = await makeUser(h.ctx, { email: 'mira@acme.test' });
  const ownerToken = await makeToken(h.ctx, owner, [
    'org:admin',
    'project:admin',
    'event:admin',
    'team:admin',
  ]);
  const miraToken = await makeToken(h.ctx, mira, ['org:read', 'project:read', 'event:admin']);
  const { org: acme, team: acmeTeam } = await makeOrg(h.ctx, owner, 'acme');
  const region = h.ctx.db.region;
  const backend = await insertTeam(region, {
    organizationId: acme.id,
    slug: 'backend',
    name: 'Backend',
    now: now(),
  });
  const member = await insertMember(region, {
    organizationId: acme.id,
    userId: mira.id,
    email: mira.email,
    role: 'member',
    inviteTokenHash: null,
    inviterId: null,
    now: now(),
  });
  await addTeamMember(region, backend.id, member.id, null);
  const { org: lab, team: labTeam } = await makeOrg(h.ctx, owner, 'lab');

  const send = (method: Method, url: string, payload?: unknown, token = ownerToken) =>
    tokenClient(h, token).send(method, url, payload);
  const ok = (status: number, method: Method, url: string, payload?: unknown, token = ownerToken) =>
    tokenClient(h, token).expect(status, method, url, payload);
  return {
    h,
    now,
    owner,
    ownerToken,
    mira,
    miraToken,
    acme,
    acmeTeam,
    backend,
    lab,
    labTeam,
    send,
    ok,
    get: (url, token) => ok(200, 'GET', url, undefined, token),
    close: () => h.close(),
  };
}

/** Posts each event to ingest (the envelope or the store endpoint) and digests them. */
export async function ingest(
  h: Harness,
  target: { readonly id: number; readonly key: ProjectKey },
  events: readonly object[],
  via: 'envelope' | 'store',
): Promise<void> {
  for (const event of events) {
    const res =
      via === 'store'
        ? await postStore(h, target.id, target.key.publicKey, event)
        : await postEnvelope(
            h,
            target.id,
            target.key.publicKey,
            envelopeOf([{ type: 'event', payload: event }]),
          );
    expect(res.statusCode, res.body).toBe(200);
  }
  await h.worker.drain();
}

/** One event of a seeded issue: how long before "now" it happened and who it happened to. */
interface SeedEvent {
  readonly ago: number;
  readonly user?: string;
}

/** An issue of acme: one fingerprint, sent as `events`, all alike but for time and user. */
interface Seed {
  readonly project: 'web' | 'api';
  readonly level: string;
  readonly release?: string;
  readonly environment: string;
  readonly tags?: Record<string, string>;
  /** An exception `Type: value`, or a plain message. */
  readonly exception?: [string, string];
  readonly message?: string;
  readonly events: readonly SeedEvent[];
}

const fillers = Object.fromEntries(
  [1, 2, 3, 4, 5, 6].map((i) => [
    `F${i}`,
    {
      project: 'web',
      level: 'error',
      environment: 'production',
      exception: ['FillerError', `filler number ${i}`],
      events: [{ ago: i * 7 * HOUR }],
    } satisfies Seed,
  ]),
);

export const SEEDS: Readonly<Record<string, Seed>> = {
  A: {
    project: 'web',
    level: 'error',
    release: 'web@1.0.0',
    environment: 'production',
    tags: { browser: 'Chrome', region: 'eu' },
    exception: ['TypeError', 'checkout failed for cart'],
    events: [
      { ago: 10 * DAY, user: 'u1' },
      { ago: 6 * DAY, user: 'u2' },
      { ago: 2 * DAY, user: 'u3' },
      { ago: 5 * HOUR, user: 'u1' },
      { ago: 1 * HOUR },
    ],
  },
  B: {
    project: 'web',
    level: 'warning',
    release: 'web@1.1.0',
    environment: 'staging',
    tags: { browser: 'Firefox' },
    message: 'Login slow for user',
    events: [
      { ago: 3 * HOUR, user: 'u1' },
      { ago: 2 * HOUR, user: 'u1' },
    ],
  },
  C: {
    project: 'web',
    level: 'fatal',
    release: 'web@1.1.0',
    environment: 'production',
    tags: { region: 'us' },
    exception: ['PaymentError', 'card declined'],
    events: [
      { ago: 5 * DAY, user: 'u4' },
      { ago: 4.5 * DAY, user: 'u5' },
      { ago: 4 * DAY, user: 'u4' },
    ],
  },
  D: {
    project: 'web',
    level: 'info',
    environment: 'production',
    message: 'Cache warmed in "eu" region',
    events: [{ ago: 30 * MIN }],
  },
  E: {
    project: 'web',
    level: 'error',
    release: 'web@1.0.0',
    environment: 'production',
    tags: { browser: 'Chrome', region: 'ap' },
    exception: ['TimeoutError', 'db timeout'],
    events: [{ ago: 20 * DAY }, { ago: 18 * DAY }, { ago: 16 * DAY }, { ago: 15 * DAY }],
  },
  R: {
    project: 'web',
    level: 'error',
    environment: 'production',
    exception: ['RetryError', 'queue stalled'],
    events: [{ ago: 12 * HOUR }],
  },
  G: {
    project: 'api',
    level: 'error',
    release: 'api@2.0.0',
    environment: 'production',
    exception: ['ApiError', 'upstream 502'],
    events: [{ ago: 1 * HOUR, user: 'u9' }, { ago: 50 * MIN }],
  },
  ...fillers,
};

export const LABELS = Object.keys(SEEDS).sort();
export const WEB = LABELS.filter((l) => SEEDS[l]?.project === 'web');
export const except = (...labels: string[]) => LABELS.filter((l) => !labels.includes(l));

function eventOf(label: string, seed: Seed, at: number, user: string | undefined, eventId: string) {
  return {
    event_id: eventId,
    timestamp: at / 1000,
    platform: 'node',
    level: seed.level,
    environment: seed.environment,
    fingerprint: [`seed-${label}`],
    ...(seed.release ? { release: seed.release } : {}),
    ...(seed.tags ? { tags: seed.tags } : {}),
    ...(user ? { user: { id: user } } : {}),
    ...(seed.message ? { message: seed.message } : {}),
    ...(seed.exception
      ? { exception: { values: [{ type: seed.exception[0], value: seed.exception[1] }] } }
      : {}),
  };
}

export interface IssueWorld extends IssueApi {
  /** The clock's time, fixed: "-24h" and the seeds' ages are exact against it. */
  readonly NOW: number;
  readonly web: { readonly id: number; readonly key: ProjectKey };
  readonly api: { readonly id: number; readonly key: ProjectKey };
  /** label → issue id (a string, as the API writes it); and back. */
  readonly ids: Readonly<Record<string, string>>;
  readonly labelOf: ReadonlyMap<string, string>;
  /** label → its events' ids, oldest first. */
  readonly eventIds: Readonly<Record<string, readonly string[]>>;
  /** The labels of every issue an acme list returns (one page of 100 is enough here), sorted. */
  labels(params: Record<string, string | readonly string[]>, token?: string): Promise<string[]>;
  search(query: string, token?: string): Promise<string[]>;
}

/**
 * acme's issues: every seed sent through ingest at its age before a fixed NOW (projects "web" and
 * "api"), then triaged through the API: C resolved, E ignored for good, F1 ignored then back
 * (substatus "ongoing", so out of "for review"), R resolved then seen again (regressed), A assigned
 * to the owner, B to the team "backend" and G to mira.
 */
export async function openIssueWorld(engine: Engine): Promise<IssueWorld> {
  const NOW = wholeSecondNow();
  const base = await openIssueApi(engine, () => NOW);
  const { h, acme, acmeTeam, get, ok } = base;
  const w = await makeProject(h.ctx, acme, acmeTeam, 'web');
  const a = await makeProject(h.ctx, acme, acmeTeam, 'api');
  const web = { id: w.project.id, key: w.key };
  const api = { id: a.project.id, key: a.key };
  const ids: Record<string, string> = {};
  const labelOf = new Map<string, string>();
  const eventIds: Record<string, string[]> = {};

  const sendSeed = async (label: string, at: number, user?: string) => {
    const seed = SEEDS[label] as Seed;
    const eventId = newEventId();
    eventIds[label] = [...(eventIds[label] ?? []), eventId];
    // Both ingest endpoints: A, B and C as python's SDK sends them, the rest as envelopes.
    const via = label < 'D' ? 'store' : 'envelope';
    await ingest(h, seed.project === 'web' ? web : api, [eventOf(label, seed, at, user, eventId)], via);
  };

  // Oldest events first, across issues, so that each issue's short id follows its first event.
  const all = Object.entries(SEEDS).flatMap(([label, seed]) => seed.events.map((e) => ({ label, ...e })));
  all.sort((x, y) => y.ago - x.ago);
  for (const e of all) await sendSeed(e.label, NOW - e.ago, e.user);

  const listed: Json[] = await get('/organizations/acme/issues/?query=&limit=100');
  for (const issue of listed) {
    const label = Object.keys(SEEDS).find((l) => {
      const s = SEEDS[l] as Seed;
      return issue.title === (s.exception ? `${s.exception[0]}: ${s.exception[1]}` : s.message);
    });
    expect(label, issue.title).toBeDefined();
    ids[label as string] = issue.id;
    labelOf.set(issue.id, label as string);
  }
  expect(Object.keys(ids).sort()).toEqual(LABELS);

  const put = (label: string, body: Json) =>
    ok(200, 'PUT', `/organizations/acme/issues/${ids[label]}/`, body);
  await put('C', { status: 'resolved' });
  await put('E', { status: 'ignored' });
  await put('F1', { status: 'ignored' });
  await put('F1', { status: 'unresolved' });
  await put('R', { status: 'resolved' });
  await sendSeed('R', NOW);
  await put('A', { assignedTo: `user:${base.owner.id}` });
  await put('B', { assignedTo: `team:${base.backend.id}` });
  await put('G', { assignedTo: base.mira.email });

  const labels = async (params: Record<string, string | readonly string[]>, token?: string) => {
    const body: Json[] = await get(`/organizations/acme/issues/?${qs({ limit: '100', ...params })}`, token);
    return body.map((i) => labelOf.get(i.id) ?? `?${i.id}`).sort();
  };
  return {
    ...base,
    NOW,
    web,
    api,
    ids,
    labelOf,
    eventIds,
    labels,
    search: (query, token) => labels({ query }, token),
  };
}

let labSeq = 0;

export interface LabSpec {
  readonly count?: number;
  readonly level?: string;
  readonly users?: readonly string[];
}

/**
 * A fresh project in lab with one issue per fingerprint, each sent `count` times a second before
 * the world's clock. `send` adds one more event to a fingerprint's issue; `sent` has their ids.
 */
export async function labProject<K extends string>(world: IssueApi, fingerprints: Record<K, LabSpec>) {
  const slug = `p${++labSeq}`;
  const { project, key } = await makeProject(world.h.ctx, world.lab, world.labTeam, slug);
  const sent: Record<string, string[]> = {};
  const send = async (fp: string, user?: string, level = 'error') => {
    const eventId = newEventId();
    sent[fp] = [...(sent[fp] ?? []), eventId];
    const event = {
      event_id: eventId,
      timestamp: world.now() / 1000 - 1,
      level,
      fingerprint: [fp],
      environment: 'production',
      tags: { fp },
      ...(user ? { user: { id: user } } : {}),
      exception: { values: [{ type: 'LabError', value: `${slug} ${fp}` }] },
    };
    await ingest(world.h, { id: project.id, key }, [event], 'envelope');
  };
  for (const fp of Object.keys(fingerprints) as K[]) {
    const spec = fingerprints[fp];
    for (let n = 0; n < (spec.count ?? 1); n++) await send(fp, spec.users?.[n], spec.level);
  }
  const listed: Json[] = await world.get(`/projects/lab/${slug}/issues/?query=`);
  const issue = Object.fromEntries(
    Object.keys(fingerprints).map((fp) => [
      fp,
      listed.find((i) => i.title === `LabError: ${slug} ${fp}`)?.id as string,
    ]),
  ) as Record<K, string>;
  return { project, slug, issue, sent, send };
}
