// People for the resource tests, made the way the web UI and scripts make them: each signed in
// (a session, as the web UI) and holding a token (as sentry-cli and scripts); organizations
// created and invitations accepted through the API.
import type { Engine } from '../../../src/store/db.js';
import { createHarness, type Harness, makeToken, makeUser, signIn } from '../../support/harness.js';
import { type Client, clientOf, type Json, tokenClient } from './api-client.js';

export interface People {
  readonly h: Harness;
  /** A person with a session (the web UI) and a token with every scope they ask for (scripts). */
  person(scopes?: string[]): Promise<Awaited<ReturnType<typeof personIn>>>;
  /** A person who owns a fresh organization, made through the API. */
  owner(): Promise<Awaited<ReturnType<typeof ownerIn>>>;
  /** Invites a new person and has them accept through their own session; them, with their member id. */
  join(
    ownerClient: Client,
    org: string,
    orgRole?: string,
    teams?: string[],
  ): Promise<Awaited<ReturnType<typeof joinIn>>>;
  close(): Promise<void>;
}

const EVERY_ADMIN_SCOPE = ['org:admin', 'member:admin', 'team:admin', 'project:admin'];

let seq = 0;

async function personIn(h: Harness, scopes = EVERY_ADMIN_SCOPE) {
  const n = ++seq;
  const user = await makeUser(h.ctx, { email: `person-${n}@resources.test` });
  const session = await signIn(h, user.email);
  const token = await makeToken(h.ctx, user, scopes);
  return { user, token, web: clientOf(h, session.headers), api: tokenClient(h, token) };
}

async function ownerIn(h: Harness) {
  const p = await personIn(h);
  const n = ++seq;
  const org: Json = await p.web.expect(201, 'POST', '/organizations/', {
    name: `Org ${n}`,
    slug: `org-${n}`,
  });
  return { ...p, org: org.slug as string, team: org.teams[0].slug as string };
}

async function joinIn(
  h: Harness,
  ownerClient: Client,
  org: string,
  orgRole = 'member',
  teams: string[] = [],
) {
  const p = await personIn(h);
  const invited: Json = await ownerClient.expect(201, 'POST', `/organizations/${org}/members/`, {
    email: p.user.email,
    orgRole,
    teams,
  });
  const url = new URL(invited.invite_link as string).pathname.replace(/^\/accept\//, '/accept-invite/');
  await p.web.expect(204, 'POST', url);
  return { ...p, memberId: invited.id as string };
}

/** A harness of its own on `engine`, and the factories over it. */
export async function openPeople(engine: Engine): Promise<People> {
  const h = await createHarness(engine);
  return {
    h,
    person: (scopes) => personIn(h, scopes),
    owner: () => ownerIn(h),
    join: (ownerClient, org, orgRole, teams) => joinIn(h, ownerClient, org, orgRole, teams),
    close: () => h.close(),
  };
}
