import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { type Config, loadConfig } from '../../src/config/config.js';
import type { DeliveryWorker } from '../../src/jobs/delivery-worker.js';
import type { DigestRunner } from '../../src/jobs/digest-worker.js';
import { assemble } from '../../src/main.js';
import type { ServiceContext } from '../../src/services/context.js';
import { createOrganization } from '../../src/services/organizations.js';
import { createProject } from '../../src/services/projects.js';
import { createUserToken } from '../../src/services/user-tokens.js';
import { createUser } from '../../src/services/users.js';
import type { Engine } from '../../src/store/db.js';
import { insertIssue } from '../../src/store/region/issues.js';
import type { Organization, Project, ProjectKey, Team, User } from '../../src/store/types.js';
import { joinTestDatabase, openTestDatabase, type TestDatabase } from './engines.js';
import { RecordingMailer } from './mail.js';

export interface Harness {
  readonly ctx: ServiceContext;
  /** The app REST requests go to. */
  readonly app: FastifyInstance;
  /** The app of the region `ctx` serves, for ingest (the same app on a one-region harness). */
  readonly ingest: FastifyInstance;
  /** Another region's node, on a two-region harness (test/support/regions.ts). */
  readonly peer?: ServiceContext;
  readonly database: TestDatabase;
  /** What the API queued as email, on every node of the harness. */
  readonly mail: RecordingMailer;
  /** The digest worker (not started: call `worker.drain()` to digest what ingest wrote). */
  readonly worker: DigestRunner;
  /** The delivery worker (not started: call `delivery.drain()` to send what the outbox holds). */
  readonly delivery: DeliveryWorker;
  /** app.inject with a bearer token. */
  request(options: InjectOptions & { token?: string }): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export const TEST_URL = 'http://errata.test:9000';

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    ERRATA_URL: TEST_URL,
    ERRATA_LOG_LEVEL: 'silent',
    ERRATA_TOKEN_TOUCH_SECONDS: '0',
    ...overrides,
  });
}

export interface HarnessOptions {
  /** The services' clock; default the real time. Tests that need expiry pass a clock they move. */
  readonly now?: () => number;
  /** Another harness's database to join (a second node over the same store) instead of a new one. */
  readonly join?: TestDatabase;
}

/** A migrated database on the engine and the app over it, without a port. */
export async function createHarness(
  engine: Engine,
  overrides: Record<string, string> = {},
  options: HarnessOptions = {},
): Promise<Harness> {
  const database = options.join ? joinTestDatabase(options.join) : await openTestDatabase(engine);
  const config = testConfig(overrides);
  const mail = new RecordingMailer();
  const ctx: ServiceContext = {
    db: database.db,
    config,
    mailer: mail,
    now: options.now ?? (() => Date.now()),
  };
  const { app, worker, delivery } = await assemble(ctx);
  return {
    ctx,
    app,
    ingest: app,
    mail,
    worker,
    delivery,
    database,
    request({ token, headers, ...options }) {
      return app.inject({
        ...options,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      });
    },
    async close() {
      await app.close();
      await database.drop();
    },
  };
}

let counter = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;

/** Factories over the real services: a user, an organization they own, a project and tokens. */
export async function makeUser(
  ctx: ServiceContext,
  options: { email?: string; superuser?: boolean } = {},
): Promise<User> {
  return createUser(ctx, {
    email: options.email ?? `${unique('user')}@example.com`,
    password: 'correct horse battery',
    isSuperuser: options.superuser ?? false,
  });
}

export async function makeOrg(
  ctx: ServiceContext,
  owner: User,
  slug = unique('org'),
): Promise<{ org: Organization; team: Team }> {
  const { organization, team } = await createOrganization(ctx, { name: slug, slug, owner });
  return { org: organization, team: team as Team };
}

export async function makeProject(
  ctx: ServiceContext,
  org: Organization,
  team: Team,
  slug = unique('proj'),
): Promise<{ project: Project; key: ProjectKey }> {
  return createProject(ctx, { organizationId: org.id, teamId: team.id, name: slug, slug, platform: 'node' });
}

/**
 * An unresolved error issue of the project, seen at `timestamp`, first in `release` when given
 * (events are the caller's to add).
 */
export async function makeIssue(
  ctx: ServiceContext,
  projectId: number,
  timestamp = Date.now(),
  release: string | null = null,
): Promise<number> {
  return insertIssue(ctx.db.region, {
    projectId,
    type: 'error',
    title: 't',
    culprit: '',
    metadata: {},
    level: 'error',
    platform: 'node',
    logger: null,
    timestamp,
    release,
  });
}

export async function makeToken(
  ctx: ServiceContext,
  user: User,
  scopes: string[],
  expiresInDays?: number,
): Promise<string> {
  return (await createUserToken(ctx, { userId: user.id, scopes, expiresInDays: expiresInDays ?? null }))
    .token;
}

/** Signs in through the API and returns the cookie header and CSRF token to use. */
export async function signIn(h: Harness, email: string, password = 'correct horse battery') {
  const response = await h.request({
    method: 'POST',
    url: '/api/0/auth/login/',
    payload: { username: email, password },
  });
  if (response.statusCode !== 200) throw new Error(`sign-in failed: ${response.statusCode} ${response.body}`);
  const cookies = response.cookies as { name: string; value: string }[];
  const cookie = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const csrf = (response.json() as { csrfToken: string }).csrfToken;
  return { cookie, csrf, headers: { cookie, 'x-csrftoken': csrf } };
}
