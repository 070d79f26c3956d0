import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Socket, type Server as TcpServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORWARDED_FROM } from '../../src/api/forward.js';
import { USER_TOKEN_SCOPES } from '../../src/auth/scopes.js';
import { insertOrgMapping } from '../../src/store/control/org-mappings.js';
import { findIssueById } from '../../src/store/region/issue-reads.js';
import { findOrganizationById } from '../../src/store/region/organizations.js';
import { findStoredChunks } from '../../src/store/region/upload-chunks.js';
import { TEST_ENGINES } from '../support/engines.js';
import { createHarness, type Harness, makeIssue, makeToken, makeUser } from '../support/harness.js';
import { type Deployment, startRegions } from '../support/regions.js';
import { SELF_SIGNED_CERT, SELF_SIGNED_KEY } from '../support/self-signed.js';
import { freePort } from '../support/server.js';

// One base URL for every region: a request for an organization of another region, made to any
// node, is forwarded there and answered as that region answers; an issue named by id alone is
// looked for in the other regions when this one has none. Real nodes on real ports, one shared
// control database.

const NOT_FOUND = 'The requested resource does not exist';
const NOT_PROVIDED = 'Authentication credentials were not provided.';

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  json<T = Record<string, unknown>>(): T;
}

async function call(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const res = await fetch(`${base}/api/0/${path}`, {
    method,
    // A request that went round in circles fails here rather than at the test's timeout.
    signal: AbortSignal.timeout(10_000),
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}

/** The parts of an answer a client sees, for comparing a forwarded answer with the direct one. */
function seen(answer: Answer) {
  return { status: answer.status, body: answer.text, link: answer.headers.get('link') };
}

/** A request through node:http, which sends the path (unresolved) and headers exactly as given. */
function rawRequest(
  base: string,
  path: string,
  options: { method?: string; headers?: http.OutgoingHttpHeaders; body?: Buffer } = {},
): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({
      hostname,
      port,
      path,
      method: options.method ?? 'GET',
      headers: options.headers ?? {},
    });
    req.on('error', reject);
    // With `Expect: 100-continue` the body waits for the server's go-ahead.
    if (options.body && options.headers?.expect) req.on('continue', () => req.end(options.body));
    else req.end(options.body);
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d) => {
        text += d;
      });
      res.on('end', () => resolve({ status: res.statusCode as number, body: text }));
    });
  });
}

const sha1 = (data: Buffer) => createHash('sha1').update(data).digest('hex');

function chunkForm(chunks: readonly Buffer[]): FormData {
  const form = new FormData();
  for (const chunk of chunks) form.append('file', new Blob([new Uint8Array(chunk)]), sha1(chunk));
  return form;
}

describe.each(TEST_ENGINES)('forwarding between two regions on %s', (engine) => {
  let regions: Deployment;
  let us: string;
  let eu: string;
  let alice: string;
  let admin: string;
  let euOrgId: number;
  let euIssue: number;
  let usIssue: number;

  beforeAll(async () => {
    regions = await startRegions(
      engine,
      { ERRATA_REGION_CONNECT_TIMEOUT_MS: '1000' },
      // The US node trusts where an organization lives for a minute (the loop-guard case needs a
      // stale answer); the EU node looks every time.
      { us: { ERRATA_AUTH_CACHE_SECONDS: '60' }, eu: { ERRATA_AUTH_CACHE_SECONDS: '0' } },
    );
    us = regions.us.url;
    eu = regions.eu.url;
    admin = regions.us.server.firstStart?.token as string;
    const user = await makeUser(regions.us.server.ctx, { email: 'alice@example.com' });
    // Tokens live in the control database: one token works on every node.
    alice = await makeToken(regions.us.server.ctx, user, [...USER_TOKEN_SCOPES]);

    // Organizations are made in the region of the node that makes them.
    const made = await call(eu, 'POST', 'organizations/', {
      token: alice,
      body: { name: 'Acme EU', slug: 'acme-eu' },
    });
    expect(made.status, made.text).toBe(201);
    euOrgId = Number(made.json().id);
    for (const slug of ['web', 'api', 'cron']) {
      const project = await call(eu, 'POST', 'teams/acme-eu/acme-eu/projects/', {
        token: alice,
        body: { name: slug, slug },
      });
      expect(project.status, project.text).toBe(201);
    }
    const usOrg = await call(us, 'POST', 'organizations/', {
      token: alice,
      body: { name: 'Acme US', slug: 'acme-us' },
    });
    expect(usOrg.status, usOrg.text).toBe(201);

    // Each region numbers its issues itself: the first issue of each is number 1 in both. The US
    // one is in the first-start organization, which alice is no member of.
    const web = await call(eu, 'GET', 'projects/acme-eu/web/', { token: alice });
    euIssue = await makeIssue(regions.eu.server.ctx, Number(web.json().id));
    const usProject = await call(us, 'GET', 'projects/errata/default/', { token: admin });
    usIssue = await makeIssue(regions.us.server.ctx, Number(usProject.json().id));
  });

  afterAll(async () => {
    await regions?.close();
  });

  it('answers GET for an EU organization through the US node exactly as the EU node does, Link headers included', async () => {
    expect(await findOrganizationById(regions.us.server.ctx.db.region, euOrgId)).toBeUndefined();
    for (const path of [
      'organizations/acme-eu/',
      `organizations/${euOrgId}/`,
      'organizations/acme-eu/projects/?per_page=1',
      'organizations/acme-eu/projects/?per_page=1&cursor=0:1:0',
      'teams/acme-eu/acme-eu/',
    ]) {
      const direct = await call(eu, 'GET', path, { token: alice });
      const through = await call(us, 'GET', path, { token: alice });
      expect(direct.status, `${path}: ${direct.text}`).toBe(200);
      expect(seen(through), path).toEqual(seen(direct));
    }
    const page = await call(us, 'GET', 'organizations/acme-eu/projects/?per_page=1', { token: alice });
    expect(page.headers.get('link')).toContain('rel="next"; results="true"');
  });

  it('changes an EU organization through the US node: PUT, POST and DELETE', async () => {
    const put = await call(us, 'PUT', 'organizations/acme-eu/', {
      token: alice,
      body: { name: 'Acme Europe' },
    });
    expect(put.status, put.text).toBe(200);
    expect(put.json().name).toBe('Acme Europe');
    expect(seen(await call(eu, 'GET', 'organizations/acme-eu/', { token: alice }))).toEqual(
      seen(await call(us, 'GET', 'organizations/acme-eu/', { token: alice })),
    );
    expect((await call(eu, 'GET', 'organizations/acme-eu/', { token: alice })).json().name).toBe(
      'Acme Europe',
    );

    const post = await call(us, 'POST', 'organizations/acme-eu/teams/', {
      token: alice,
      body: { slug: 'backend' },
    });
    expect(post.status, post.text).toBe(201);
    expect((await call(eu, 'GET', 'teams/acme-eu/backend/', { token: alice })).status).toBe(200);

    const removed = await call(us, 'DELETE', 'teams/acme-eu/backend/', { token: alice });
    expect(removed.status, removed.text).toBe(204);
    expect((await call(eu, 'GET', 'teams/acme-eu/backend/', { token: alice })).status).toBe(404);

    // A body the EU node refuses is refused there, in its words.
    const bad = await call(us, 'PUT', 'organizations/acme-eu/', { token: alice, body: { name: 7 } });
    const badDirect = await call(eu, 'PUT', 'organizations/acme-eu/', { token: alice, body: { name: 7 } });
    expect(seen(bad)).toEqual(seen(badDirect));
    expect(bad.status).toBe(400);
  });

  it('passes a session on: the cookie and the CSRF header reach the EU node, which checks them', async () => {
    const login = await call(us, 'POST', 'auth/login/', {
      body: { username: 'alice@example.com', password: 'correct horse battery' },
    });
    expect(login.status, login.text).toBe(200);
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const csrf = login.json<{ csrfToken: string }>().csrfToken;
    const session = { cookie, 'x-csrftoken': csrf };
    const put = await call(us, 'PUT', 'organizations/acme-eu/', {
      headers: session,
      body: { name: 'Acme EU' },
    });
    expect(put.status, put.text).toBe(200);
    expect(put.json().name).toBe('Acme EU');
    const noCsrf = await call(us, 'PUT', 'organizations/acme-eu/', {
      headers: { cookie },
      body: { name: 'x' },
    });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.json().detail).toBe('CSRF Failed: CSRF token missing or incorrect.');
    expect(seen(noCsrf)).toEqual(
      seen(await call(eu, 'PUT', 'organizations/acme-eu/', { headers: { cookie }, body: { name: 'x' } })),
    );
  });

  it('streams a multipart chunk upload larger than the JSON body limit to the EU region', async () => {
    const chunks = [randomBytes(3 * 1024 * 1024), randomBytes(2 * 1024 * 1024)];
    const res = await fetch(`${us}/api/0/organizations/acme-eu/chunk-upload/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice}` },
      body: chunkForm(chunks),
    });
    expect(res.status, await res.text()).toBe(200);
    const checksums = chunks.map(sha1);
    expect(await findStoredChunks(regions.eu.server.ctx.db.region, euOrgId, checksums)).toEqual(
      new Set(checksums),
    );
    expect((await findStoredChunks(regions.us.server.ctx.db.region, euOrgId, checksums)).size).toBe(0);
  });

  it('drops hop-by-hop request headers (Expect: 100-continue, Keep-Alive) that belong to the first hop only', async () => {
    const chunk = randomBytes(64 * 1024);
    const form = new Response(chunkForm([chunk]));
    const body = Buffer.from(await form.arrayBuffer());
    const answer = await rawRequest(us, '/api/0/organizations/acme-eu/chunk-upload/', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${alice}`,
        'content-type': form.headers.get('content-type') as string,
        'content-length': body.length,
        expect: '100-continue',
        'keep-alive': 'timeout=5',
        connection: 'keep-alive',
      },
      body,
    });
    expect(answer.status, answer.body).toBe(200);
    expect(await findStoredChunks(regions.eu.server.ctx.db.region, euOrgId, [sha1(chunk)])).toEqual(
      new Set([sha1(chunk)]),
    );
  });

  it('leaves authentication to the EU node: no token is its 401, a token without the scope its 403', async () => {
    const direct = await call(eu, 'GET', 'organizations/acme-eu/');
    const through = await call(us, 'GET', 'organizations/acme-eu/');
    expect(through.status).toBe(401);
    expect(through.json().detail).toBe(NOT_PROVIDED);
    expect(seen(through)).toEqual(seen(direct));
    expect(through.headers.get('www-authenticate')).toBe(direct.headers.get('www-authenticate'));
    const readOnly = await makeToken(
      regions.us.server.ctx,
      await makeUser(regions.us.server.ctx, { email: 'reader@example.com' }),
      ['org:read'],
    );
    expect(
      seen(await call(us, 'PUT', 'organizations/acme-eu/', { token: readOnly, body: { name: 'x' } })),
    ).toEqual(
      seen(await call(eu, 'PUT', 'organizations/acme-eu/', { token: readOnly, body: { name: 'x' } })),
    );
  });

  it('answers an unknown organization here: 404, nothing forwarded', async () => {
    const res = await call(us, 'GET', 'organizations/no-such-org/', { token: alice });
    expect(res.status).toBe(404);
    expect(res.json().detail).toBe(NOT_FOUND);
    expect((await call(us, 'GET', 'organizations/99999999/', { token: alice })).status).toBe(404);
    expect((await call(us, 'GET', 'organizations/acme-us/', { token: alice })).status).toBe(200);
  });

  it('refuses a path with a ".." segment (the router took it for a value) rather than forwarding it', async () => {
    for (const path of ['/api/0/projects/acme-eu/%2E%2E/', '/api/0/issues/%2e%2e/']) {
      const answer = await rawRequest(us, path, { headers: { authorization: `Bearer ${alice}` } });
      expect(answer.status, `${path}: ${answer.body}`).toBe(400);
      expect(JSON.parse(answer.body).detail).toMatch(/^Malformed URL: /);
    }
  });

  it('forwards a request only once: the forwarded-from header keeps it on the node that gets it', async () => {
    // The EU node forwards a US organization's request to the US node, unless the request came
    // forwarded: then it answers from its own region, where acme-us is not.
    expect((await call(eu, 'GET', 'organizations/acme-us/', { token: alice })).status).toBe(200);
    const marked = { [FORWARDED_FROM]: 'us' };
    const kept = await call(eu, 'GET', 'organizations/acme-us/', { token: alice, headers: marked });
    expect(kept.status).toBe(404);
    // A client that sends the header itself gains nothing: it is still authenticated.
    const anonymous = await call(eu, 'GET', 'organizations/acme-us/', { headers: marked });
    expect(anonymous.status).toBe(401);

    // Nodes that disagree: the US node still believes (cached) that "wander" is in the EU while
    // the control database now says US. The EU node gets the forwarded request, and though it
    // would forward it back, answers it from its own region, where the organization's data is.
    const wander = await call(eu, 'POST', 'organizations/', {
      token: alice,
      body: { name: 'Wander', slug: 'wander' },
    });
    expect(wander.status, wander.text).toBe(201);
    expect((await call(us, 'GET', 'organizations/wander/', { token: alice })).status).toBe(200);
    const control = regions.us.server.ctx.db.control;
    await control.updateTable('org_mappings').set({ region: 'us' }).where('slug', '=', 'wander').execute();
    try {
      const started = Date.now();
      const once = await call(us, 'GET', 'organizations/wander/', { token: alice });
      expect(once.status, once.text).toBe(200);
      expect(once.json().slug).toBe('wander');
      expect(Date.now() - started).toBeLessThan(5000);
      // Asked directly, the EU node now forwards it to the US node, which has no such data.
      expect((await call(eu, 'GET', 'organizations/wander/', { token: alice })).status).toBe(404);
    } finally {
      await control.updateTable('org_mappings').set({ region: 'eu' }).where('slug', '=', 'wander').execute();
    }
  });

  it('finds an issue named by id alone in the region that has it, after this one answered 404', async () => {
    expect(euIssue).toBe(usIssue);
    expect(await findIssueById(regions.us.server.ctx.db.region, euIssue)).toBeDefined();
    // Alice cannot see the US issue of that number, so the US node asks the EU node.
    for (const path of [`issues/${euIssue}/`, `issues/${euIssue}/events/`, `issues/${euIssue}/tags/`]) {
      const direct = await call(eu, 'GET', path, { token: alice });
      expect(direct.status, `${path}: ${direct.text}`).toBe(200);
      expect(seen(await call(us, 'GET', path, { token: alice })), path).toEqual(seen(direct));
    }
    const resolved = await call(us, 'PUT', `issues/${euIssue}/`, {
      token: alice,
      body: { status: 'resolved' },
    });
    expect(resolved.status, resolved.text).toBe(200);
    expect((await call(eu, 'GET', `issues/${euIssue}/`, { token: alice })).json().status).toBe('resolved');
    // The first-start owner sees the US issue of that number: answered here as before.
    const local = await call(us, 'GET', `issues/${usIssue}/`, { token: admin });
    expect(local.status).toBe(200);
    expect((local.json().project as { slug: string }).slug).toBe('default');
    // An id no region has: 404; no token: 401 here, before any region is asked.
    const none = await call(us, 'GET', 'issues/987654/', { token: alice });
    expect(none.status).toBe(404);
    expect(none.json().detail).toBe(NOT_FOUND);
    expect((await call(us, 'GET', `issues/${euIssue}/`)).status).toBe(401);
    // A forwarded request is not passed on again.
    const marked = await call(us, 'GET', `issues/${euIssue}/`, {
      token: alice,
      headers: { [FORWARDED_FROM]: 'eu' },
    });
    expect(marked.status).toBe(404);
  });

  it('answers 503 naming the EU region, at once, once the EU node is down', async () => {
    await regions.eu.stop();
    for (const [method, path, body] of [
      ['GET', 'organizations/acme-eu/', undefined],
      ['PUT', 'organizations/acme-eu/', { name: 'x' }],
      ['GET', `issues/${euIssue}/`, undefined],
    ] as const) {
      const started = Date.now();
      const res = await call(us, method, path, { token: alice, body });
      expect(res.status, `${method} ${path}: ${res.text}`).toBe(503);
      expect(res.json().detail).toBe('The eu region is unavailable right now; try again shortly.');
      expect(Date.now() - started).toBeLessThan(1000);
    }
    // What lives here is unaffected.
    expect((await call(us, 'GET', 'organizations/acme-us/', { token: alice })).status).toBe(200);
    expect((await call(us, 'GET', 'organizations/no-such-org/', { token: alice })).status).toBe(404);
  });
});

/** Servers that stand for a region's nodes gone wrong: nothing listening, silent, resetting, or with a certificate nobody signed. */
async function brokenRegions() {
  const sockets = new Set<Socket>();
  const listen = async (server: TcpServer | http.Server) => {
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as { port: number }).port;
  };
  const silent = createTcpServer(() => {});
  const resetting = createTcpServer((socket) => socket.resetAndDestroy());
  // Reads the start of a request, stops reading, and cuts the connection a moment later: an
  // upload fails halfway through.
  const midway = createTcpServer((socket) => {
    let read = 0;
    socket.on('data', (data) => {
      if (read === 0) setTimeout(() => socket.resetAndDestroy(), 50);
      read += data.length;
      if (read > 64 * 1024) socket.pause();
    });
  });
  const impostor = createHttpsServer({ cert: SELF_SIGNED_CERT, key: SELF_SIGNED_KEY }, (_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"impostor":true}'),
  );
  const ports = {
    refused: await freePort(),
    silent: await listen(silent),
    resetting: await listen(resetting),
    midway: await listen(midway),
    impostor: await listen(impostor),
  };
  return {
    regions: [
      `refused=http://127.0.0.1:${ports.refused}`,
      `silent=http://127.0.0.1:${ports.silent}`,
      // TLS to a server that never answers the handshake: only the connect timeout ends it.
      `handshake=https://127.0.0.1:${ports.silent}`,
      `resetting=http://127.0.0.1:${ports.resetting}`,
      `midway=http://127.0.0.1:${ports.midway}`,
      `impostor=https://127.0.0.1:${ports.impostor}`,
    ],
    async close() {
      for (const socket of sockets) socket.destroy();
      await Promise.all(
        [silent, resetting, midway, impostor].map(
          (s) => new Promise((resolve) => s.close(() => resolve(null))),
        ),
      );
    },
  };
}

describe.each(TEST_ENGINES)('forwarding to a region that cannot answer, on %s', (engine) => {
  // undici's timers tick about twice a second: a timeout fires up to a second after it is due.
  const CONNECT_MS = 500;
  const REQUEST_MS = 2500;
  let h: Harness;
  let base: string;
  let token: string;
  let broken: Awaited<ReturnType<typeof brokenRegions>>;

  beforeAll(async () => {
    broken = await brokenRegions();
    h = await createHarness(engine, {
      ERRATA_REGION: 'us',
      ERRATA_REGIONS: ['us=http://errata.test:9000', ...broken.regions].join(','),
      // The harness keeps control and region data in one database; the setting only has to be there.
      ERRATA_CONTROL_DATABASE_URL: 'sqlite:/nonexistent/control.sqlite',
      ERRATA_REGION_CONNECT_TIMEOUT_MS: String(CONNECT_MS),
      ERRATA_REGION_REQUEST_TIMEOUT_MS: String(REQUEST_MS),
    });
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(h.app.server.address() as { port: number }).port}`;
    token = await makeToken(h.ctx, await makeUser(h.ctx), [...USER_TOKEN_SCOPES]);
    for (const region of ['refused', 'silent', 'handshake', 'resetting', 'midway', 'impostor', 'gone']) {
      await insertOrgMapping(h.ctx.db.control, {
        slug: `in-${region}`,
        region,
        name: `in-${region}`,
        now: Date.now(),
      });
    }
  });

  afterAll(async () => {
    await h?.close();
    await broken?.close();
  });

  it.each([
    ['refused', 'refused', 0, 300],
    ['silent', 'silent', REQUEST_MS, REQUEST_MS + 2000],
    // Ended by the connect timeout, well before the request timeout.
    ['handshake', 'handshake', CONNECT_MS, REQUEST_MS - 500],
    ['resetting', 'resetting', 0, 300],
    ['midway', 'midway', 0, 1000],
    ['impostor', 'impostor', 0, 500],
    ['gone', 'gone', 0, 300],
  ] as const)(
    'answers 503 for the %s region, GET and an upload alike, within its timeout',
    async (region, name, atLeast, below) => {
      for (const request of [
        () => call(base, 'GET', `organizations/in-${region}/`, { token }),
        () =>
          fetch(`${base}/api/0/organizations/in-${region}/chunk-upload/`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}` },
            body: chunkForm([randomBytes(4 * 1024 * 1024)]),
          }).then(async (res) => {
            const text = await res.text();
            return { status: res.status, text, json: () => JSON.parse(text) } as Answer;
          }),
      ]) {
        const started = Date.now();
        const res = await request();
        const took = Date.now() - started;
        expect(res.status, res.text).toBe(503);
        expect(res.json()).toEqual({
          detail: `The ${name} region is unavailable right now; try again shortly.`,
        });
        expect(took).toBeGreaterThanOrEqual(atLeast - 50);
        expect(took).toBeLessThan(below);
      }
    },
  );
});
