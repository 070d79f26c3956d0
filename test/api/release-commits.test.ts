import { describe, expect, it } from 'vitest';
import { TEST_ENGINES } from '../support/engines.js';
import { makeToken, makeUser } from '../support/harness.js';
import { openedForTests } from '../support/lifecycle.js';
import { type Client, ISO, type Json, link, tokenClient } from './support/api-client.js';
import { openPeople } from './support/people.js';
import { releaseState } from './support/snapshot.js';

// Commits of releases as CI sends them (sentry-cli set-commits: `commits` from a local git history,
// `refs` naming a repository's head commit), read back through the commit, file, repository and
// release endpoints. Every test builds its own organization.

const v = (version: string) => encodeURIComponent(version);

/** Three commits of repository "origin" as `set-commits --local` sends them (newest first). */
function localCommits(memberEmail: string) {
  return [
    {
      id: 'c3'.padEnd(40, '3'),
      repository: 'origin',
      message: 'Remove a\n',
      author_name: 'Member',
      author_email: memberEmail.toUpperCase(),
      timestamp: '2026-12-03T10:00:00Z',
      patch_set: [{ path: 'a.txt', type: 'D' }],
    },
    {
      id: 'c2'.padEnd(40, '2'),
      repository: 'origin',
      message: 'Add b',
      author_name: 'Stranger',
      author_email: 'stranger@example.com',
      timestamp: '2026-12-02T10:00:00Z',
      patch_set: [
        { path: 'b.txt', type: 'A' },
        { path: 'a.txt', type: 'M' },
      ],
    },
    {
      id: 'c1'.padEnd(40, '1'),
      repository: 'origin',
      message: 'First',
      author_name: 'Build Bot!',
      timestamp: '2026-12-01T10:00:00Z',
      patch_set: [{ path: 'a.txt', type: 'A' }],
    },
  ];
}

describe.each(TEST_ENGINES)('release commits on %s', (engine) => {
  const w = openedForTests(() => openPeople(engine));

  /** An organization with projects web and api, a member on its team, and a CI token (org:ci). */
  async function pipeline() {
    const o = await w.owner();
    for (const name of ['web', 'api']) {
      await o.web.expect(201, 'POST', `/teams/${o.org}/${o.team}/projects/`, { name });
    }
    const member = await w.join(o.web, o.org, 'member', [o.team]);
    const token: Json = await o.web.expect(201, 'POST', `/organizations/${o.org}/org-auth-tokens/`, {
      name: 'CI',
    });
    const ci: Client = tokenClient(w.h, token.token as string);
    const detail: Json = await o.api.expect(200, 'GET', `/organizations/${o.org}/`);
    const rows = () => releaseState(w.h.ctx.db, Number(detail.id));
    return { ...o, member, ci, rows, releases: `/organizations/${o.org}/releases/` };
  }

  it('stores commits as --local sends them and reads commits, files, authors and repositories back', async () => {
    const o = await pipeline();
    await o.ci.expect(201, 'POST', o.releases, { version: '1.0', projects: ['web'] });
    // Sent oldest first: Sentry orders a release's commits by their time, newest first.
    const commits = localCommits(o.member.user.email).reverse();
    const updated: Json = await o.ci.expect(200, 'PUT', `${o.releases}1.0/`, { commits });
    const memberUser = expect.objectContaining({ id: String(o.member.user.id), email: o.member.user.email });
    const stranger = { name: 'Stranger', email: 'stranger@example.com' };
    const bot = { name: 'Build Bot!', email: 'buildbot@localhost' };
    expect(updated).toMatchObject({
      version: '1.0',
      commitCount: 3,
      lastCommit: {
        id: 'c3'.padEnd(40, '3'),
        message: 'Remove a',
        dateCreated: '2026-12-03T10:00:00.000Z',
        author: memberUser,
        repository: { name: 'origin', provider: { id: 'unknown', name: 'Unknown Provider' } },
      },
    });
    expect(updated.authors).toHaveLength(3);
    expect(updated.authors).toEqual(expect.arrayContaining([memberUser, stranger, bot]));

    const list: Json[] = await o.ci.expect(200, 'GET', `${o.releases}1.0/commits/`);
    expect(list.map((c) => [c.id.slice(0, 2), c.message])).toEqual([
      ['c3', 'Remove a'],
      ['c2', 'Add b'],
      ['c1', 'First'],
    ]);
    expect(list[0]).toEqual({
      id: 'c3'.padEnd(40, '3'),
      message: 'Remove a',
      dateCreated: '2026-12-03T10:00:00.000Z',
      pullRequest: null,
      suspectCommitType: '',
      repository: {
        id: expect.any(String),
        name: 'origin',
        url: null,
        provider: { id: 'unknown', name: 'Unknown Provider' },
        status: 'active',
        dateCreated: expect.stringMatching(ISO),
        integrationId: null,
        externalSlug: null,
        externalId: null,
      },
      author: memberUser,
      releases: [expect.objectContaining({ version: '1.0', shortVersion: '1.0', dateReleased: null })],
    });
    expect(list[1]?.author).toEqual(stranger);
    expect(list[2]?.author).toEqual(bot);

    const files: Json[] = await o.ci.expect(200, 'GET', `${o.releases}1.0/commitfiles/`);
    expect(files.map((f) => [f.filename, f.type, f.commitMessage, f.repoName])).toEqual([
      ['a.txt', 'D', 'Remove a', 'origin'],
      ['a.txt', 'M', 'Add b', 'origin'],
      ['a.txt', 'A', 'First', 'origin'],
      ['b.txt', 'A', 'Add b', 'origin'],
    ]);
    expect(files[0]).toMatchObject({ id: expect.any(String), orgId: expect.any(Number), author: memberUser });
    expect(await o.ci.expect(200, 'GET', `${o.releases}1.0/commitfiles/?repo_name=origin`)).toHaveLength(4);
    await o.ci.expect(404, 'GET', `${o.releases}1.0/commitfiles/?repo_name=elsewhere`);

    const repos: Json[] = await o.ci.expect(200, 'GET', `/organizations/${o.org}/repos/`);
    expect(repos).toEqual([list[0]?.repository]);
    expect(await o.ci.expect(200, 'GET', `/organizations/${o.org}/repos/?query=RIG`)).toHaveLength(1);
    expect(await o.ci.expect(200, 'GET', `/organizations/${o.org}/repos/?query=nope`)).toEqual([]);
    expect(await o.ci.expect(200, 'GET', `/organizations/${o.org}/repos/?status=deleted`)).toEqual([]);
    // Listing a repository's commits takes org:read, which org:ci is not.
    await o.ci.expect(403, 'GET', `/organizations/${o.org}/repos/${repos[0]?.id}/commits/`);
    const repoCommits: Json[] = await o.api.expect(
      200,
      'GET',
      `/organizations/${o.org}/repos/${repos[0]?.id}/commits/`,
    );
    expect(repoCommits.map((c) => c.id.slice(0, 2))).toEqual(['c3', 'c2', 'c1']);

    const inProject: Json[] = await o.ci.expect(200, 'GET', `/projects/${o.org}/web/releases/1.0/commits/`);
    expect(inProject).toEqual(list);
    await o.ci.expect(404, 'GET', `/projects/${o.org}/api/releases/1.0/commits/`);
  });

  it('replaces the commits on each set, keeps files once, and leaves out #skipsentry commits', async () => {
    const o = await pipeline();
    await o.ci.expect(201, 'POST', o.releases, { version: '2.0', projects: ['web'] });
    const commits = localCommits(o.member.user.email);
    await o.ci.expect(200, 'PUT', `${o.releases}2.0/`, { commits });
    await o.ci.expect(200, 'PUT', `${o.releases}2.0/`, { commits });
    expect(await o.ci.expect(200, 'GET', `${o.releases}2.0/commitfiles/`)).toHaveLength(4);
    const [, second, third] = commits;
    const again: Json = await o.ci.expect(200, 'PUT', `${o.releases}2.0/`, {
      commits: [{ ...second, message: 'Add b, reworded' }, third, { id: 'skip', message: 'wip #skipsentry' }],
    });
    expect(again).toMatchObject({ commitCount: 2, lastCommit: { message: 'Add b, reworded' } });
    const list: Json[] = await o.ci.expect(200, 'GET', `${o.releases}2.0/commits/`);
    expect(list.map((c) => c.id.slice(0, 2))).toEqual(['c2', 'c1']);
    expect((await o.rows()).commits.commits.map((c) => c.key)).not.toContain('skip');

    // The same commit twice, with a file twice: each counts once.
    const twice = {
      id: 'dup',
      patch_set: [
        { path: 'x.txt', type: 'A' },
        { path: 'x.txt', type: 'M' },
      ],
    };
    const deduped: Json = await o.ci.expect(200, 'PUT', `${o.releases}2.0/`, { commits: [twice, twice] });
    expect(deduped).toMatchObject({ commitCount: 1, lastCommit: { id: 'dup' } });
    expect(await o.ci.expect(200, 'GET', `${o.releases}2.0/commitfiles/`)).toEqual([
      expect.objectContaining({ filename: 'x.txt', type: 'A' }),
    ]);
  });

  it('creates a release with commits; a commit in two releases lists both', async () => {
    const o = await pipeline();
    const [newest] = localCommits(o.member.user.email);
    const made: Json = await o.ci.expect(201, 'POST', o.releases, {
      version: '3.0',
      projects: ['web'],
      commits: [newest],
    });
    expect(made).toMatchObject({ commitCount: 1, lastCommit: { id: newest?.id } });
    await o.ci.expect(201, 'POST', o.releases, { version: '3.1', projects: ['web'], commits: [newest] });
    const list: Json[] = await o.ci.expect(200, 'GET', `${o.releases}3.1/commits/`);
    expect(list[0]?.releases.map((r: Json) => r.version)).toEqual(['3.1', '3.0']);
    // A commit without a repository goes to the organization's default one.
    await o.ci.expect(201, 'POST', o.releases, {
      version: '3.2',
      projects: ['web'],
      commits: [{ id: 'abc' }],
    });
    const detail: Json = await o.api.expect(200, 'GET', `/organizations/${o.org}/`);
    const repos: Json[] = await o.ci.expect(200, 'GET', `/organizations/${o.org}/repos/`);
    expect(repos.map((r) => r.name)).toEqual([`organization-${detail.id}`, 'origin']);
    const bare: Json = await o.ci.expect(200, 'GET', `${o.releases}3.2/`);
    expect(bare).toMatchObject({
      commitCount: 1,
      authors: [],
      lastCommit: { id: 'abc', message: null, author: {} },
    });
  });

  it('answers the previous release with commits of the same projects, or {}', async () => {
    const o = await pipeline();
    const commits = localCommits(o.member.user.email);
    await o.ci.expect(201, 'POST', o.releases, { version: '1.0', projects: ['web'], commits });
    await o.ci.expect(201, 'POST', o.releases, { version: 'api-1.0', projects: ['api'], commits });
    await o.ci.expect(201, 'POST', o.releases, { version: '1.1', projects: ['web'] });
    await o.ci.expect(201, 'POST', o.releases, { version: '1.2', projects: ['web'] });
    const previous: Json = await o.ci.expect(200, 'GET', `${o.releases}1.2/previous-with-commits/`);
    expect(previous).toMatchObject({
      version: '1.0',
      dateCreated: expect.stringMatching(ISO),
      commitCount: 3,
      lastCommit: { id: commits[0]?.id },
      projects: [{ slug: 'web' }],
    });
    expect(await o.ci.expect(200, 'GET', `${o.releases}1.0/previous-with-commits/`)).toEqual({});
    expect(await o.ci.expect(200, 'GET', `${o.releases}api-1.0/previous-with-commits/`)).toEqual({});
    await o.ci.expect(404, 'GET', `${o.releases}9.9/previous-with-commits/`);
  });

  it('takes refs to known repositories (the head commit, ranges too), clears with refs: [] and refuses unknown ones', async () => {
    const o = await pipeline();
    const commits = localCommits(o.member.user.email);
    await o.ci.expect(201, 'POST', o.releases, { version: '1.0', projects: ['web'], commits });
    await o.ci.expect(201, 'POST', o.releases, { version: '2.0', projects: ['web'] });

    const before = await o.rows();
    const unknown = await o.ci.send('PUT', `${o.releases}2.0/`, {
      ref: 'changed',
      refs: [
        { repository: 'origin', commit: 'abc' },
        { repository: 'acme/nope', commit: 'def' },
      ],
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toEqual({
      refs: ['Invalid repository names: acme/nope'],
      detail: 'refs: Invalid repository names: acme/nope',
    });
    expect(await o.rows(), 'a refused update stores nothing').toEqual(before);
    // Repository names are exact, as in Sentry (sentry-cli matches them in any case, Sentry does not).
    await o.ci.expect(400, 'PUT', `${o.releases}2.0/`, { refs: [{ repository: 'ORIGIN', commit: 'abc' }] });

    // Errata asks no integration for the commits between: the head commit is the release's commit,
    // with what is known of it.
    const head = commits[1]?.id as string;
    const ranged: Json = await o.ci.expect(200, 'PUT', `${o.releases}2.0/`, {
      refs: [{ repository: 'origin', commit: `${commits[2]?.id}..${head}` }],
    });
    expect(ranged).toMatchObject({ commitCount: 1, lastCommit: { id: head, message: 'Add b' } });
    const fresh: Json = await o.ci.expect(200, 'PUT', `${o.releases}2.0/`, {
      refs: [{ repository: 'origin', commit: 'f00d', previousCommit: null }],
    });
    expect(fresh).toMatchObject({ commitCount: 1, authors: [], lastCommit: { id: 'f00d', message: null } });

    // Sentry's older spelling of refs.
    const legacy: Json = await o.ci.expect(200, 'PUT', `${o.releases}2.0/`, {
      headCommits: [{ repository: 'origin', currentId: head, previousId: null }],
    });
    expect(legacy).toMatchObject({ commitCount: 1, lastCommit: { id: head } });

    const cleared: Json = await o.ci.expect(200, 'PUT', `${o.releases}2.0/`, { refs: [] });
    expect(cleared).toMatchObject({ commitCount: 0, lastCommit: null, authors: [] });
    expect(await o.ci.expect(200, 'GET', `${o.releases}2.0/commits/`)).toEqual([]);
    // The other release keeps its commits.
    expect(await o.ci.expect(200, 'GET', `${o.releases}1.0/`)).toMatchObject({ commitCount: 3 });
  });

  it('pages through commits, files and repositories with the Link header', async () => {
    const o = await pipeline();
    const commits = Array.from({ length: 5 }, (_, i) => ({
      id: `sha${i}`,
      repository: `repo-${i % 3}`,
      timestamp: `2026-12-0${i + 1}T00:00:00Z`,
      patch_set: [{ path: `f${i}.txt`, type: 'A' }],
    }));
    await o.ci.expect(201, 'POST', o.releases, { version: '1.0', projects: ['web'], commits });
    for (const [path, first, rest] of [
      [`${o.releases}1.0/commits/`, ['sha4', 'sha3'], ['sha2', 'sha1']],
      [`${o.releases}1.0/commitfiles/`, ['f0.txt', 'f1.txt'], ['f2.txt', 'f3.txt']],
      [`/organizations/${o.org}/repos/`, ['repo-0', 'repo-1'], ['repo-2']],
    ] as const) {
      const res = await o.ci.send('GET', `/api/0${path}?per_page=2`);
      const name = (x: Json) => (x.id.startsWith('sha') ? x.id : (x.filename ?? x.name));
      expect(res.json().map(name), path).toEqual(first);
      const next = link(res, 'next');
      expect(next.results).toBe(true);
      const second: Json[] = await o.ci.expect(200, 'GET', next.path);
      expect(second.map(name), path).toEqual(rest);
    }
  });

  it('lets a personal token with project:releases set and read commits, and refuses missing scopes', async () => {
    const o = await pipeline();
    const releasesOnly = tokenClient(w.h, await makeToken(w.h.ctx, o.member.user, ['project:releases']));
    await releasesOnly.expect(201, 'POST', o.releases, {
      version: '1.0',
      projects: ['web'],
      commits: localCommits(o.member.user.email),
    });
    expect(await releasesOnly.expect(200, 'GET', `${o.releases}1.0/commits/`)).toHaveLength(3);
    expect(await releasesOnly.expect(200, 'GET', `${o.releases}1.0/commitfiles/`)).toHaveLength(4);
    expect(
      await releasesOnly.expect(200, 'GET', `/projects/${o.org}/web/releases/1.0/commits/`),
    ).toHaveLength(3);
    // Repositories are organization data: org:read (or org:ci), which this token does not hold.
    await releasesOnly.expect(403, 'GET', `/organizations/${o.org}/repos/`);

    const readOnly = tokenClient(w.h, await makeToken(w.h.ctx, o.member.user, ['org:read']));
    await readOnly.expect(403, 'GET', `${o.releases}1.0/commits/`);
    await readOnly.expect(403, 'GET', `${o.releases}1.0/previous-with-commits/`);
    await readOnly.expect(403, 'PUT', `${o.releases}1.0/`, { refs: [] });
    expect(await readOnly.expect(200, 'GET', `/organizations/${o.org}/repos/`)).toHaveLength(1);
    expect(await o.ci.expect(200, 'GET', `${o.releases}1.0/`)).toMatchObject({ commitCount: 3 });

    // A user of that email who is no member of the organization is shown as name and email only.
    const outsider = await makeUser(w.h.ctx, { email: 'outsider-author@example.com' });
    await o.ci.expect(200, 'PUT', `${o.releases}1.0/`, {
      commits: [{ id: 'x1', author_name: 'Out', author_email: outsider.email }],
    });
    expect((await o.ci.expect(200, 'GET', `${o.releases}1.0/`)).authors).toEqual([
      { name: 'Out', email: 'outsider-author@example.com' },
    ]);
  });

  describe('bad input changes nothing', () => {
    const commit = { id: 'abc', repository: 'origin' };
    it.each([
      [
        'commits that are not a list',
        { commits: 'abc' },
        'commits: Expected a list of items but got type "str".',
      ],
      ['commits as an object', { commits: commit }, 'commits: Expected a list of items but got type "dict".'],
      ['null commits', { commits: null }, 'commits: This field may not be null.'],
      [
        'a commit that is no object',
        { commits: ['abc'] },
        'commits[0]: Invalid data. Expected a dictionary, but got str.',
      ],
      [
        'a commit without id',
        { commits: [{ repository: 'origin' }] },
        'commits[0].id: This field is required.',
      ],
      ['a blank id', { commits: [{ id: '  ' }] }, 'commits[0].id: This field may not be blank.'],
      [
        'an id of 65 characters',
        { commits: [{ id: 'a'.repeat(65) }] },
        'commits[0].id: Ensure this field has no more than 64 characters.',
      ],
      ['an id that is an object', { commits: [{ id: { sha: 1 } }] }, 'commits[0].id: Not a valid string.'],
      [
        'a NUL in a message',
        { commits: [{ id: 'a', message: 'a\u0000b' }] },
        'commits[0].message: Null characters are not allowed.',
      ],
      [
        'a long repository name',
        { commits: [{ id: 'a', repository: 'r'.repeat(65) }] },
        'commits[0].repository: Ensure this field has no more than 64 characters.',
      ],
      [
        'a long author email',
        { commits: [{ id: 'a', author_email: `${'e'.repeat(70)}@x.com` }] },
        'commits[0].author_email: Ensure this field has no more than 75 characters.',
      ],
      [
        'a bad timestamp',
        { commits: [{ id: 'a', timestamp: 'yesterday' }] },
        'commits[0].timestamp: Datetime has wrong format.',
      ],
      [
        'an epoch timestamp',
        { commits: [{ id: 'a', timestamp: 1764583200 }] },
        'commits[0].timestamp: Datetime has wrong format.',
      ],
      [
        'a patch_set that is not a list',
        { commits: [{ id: 'a', patch_set: 'a.txt' }] },
        'commits[0].patch_set: Expected a list of items but got type "str".',
      ],
      [
        'a bad patch_set type',
        { commits: [commit, { id: 'b', patch_set: [{ path: 'a.txt', type: 'X' }] }] },
        'commits[1].patch_set[0].type: Commit patch_set type X is not supported.',
      ],
      [
        'a patch_set type of two letters',
        { commits: [{ id: 'a', patch_set: [{ path: 'a', type: 'AM' }] }] },
        'commits[0].patch_set[0].type: Ensure this field has no more than 1 characters.',
      ],
      [
        'a patch_set without path',
        { commits: [{ id: 'a', patch_set: [{ type: 'A' }] }] },
        'commits[0].patch_set[0].path: This field is required.',
      ],
      [
        'refs that are not a list',
        { refs: 'origin@abc' },
        'refs: Expected a list of items but got type "str".',
      ],
      [
        'a ref without commit',
        { refs: [{ repository: 'origin' }] },
        'refs[0].commit: This field is required.',
      ],
      [
        'a ref without repository',
        { refs: [{ commit: 'abc' }] },
        'refs[0].repository: This field is required.',
      ],
      [
        'a ref range with no start',
        { refs: [{ repository: 'origin', commit: '..abc' }] },
        'refs[0].commit: Commit cannot begin or end with ..',
      ],
      [
        'a head commit without currentId',
        { headCommits: [{ repository: 'origin' }] },
        'headCommits[0].currentId: This field is required.',
      ],
      [
        'a ref of an unknown repository',
        { commits: [commit], refs: [{ repository: 'nope', commit: 'abc' }] },
        'refs: Invalid repository names: nope',
      ],
    ])('refuses %s (400 with a detail) on create and update', async (_name, body, detail) => {
      const o = await pipeline();
      await o.ci.expect(201, 'POST', o.releases, { version: '1.0', projects: ['web'], commits: [commit] });
      const before = await o.rows();
      const created = await o.ci.send('POST', o.releases, { version: '2.0', projects: ['web'], ...body });
      expect(created.statusCode, created.body).toBe(400);
      expect(created.json().detail).toBe(detail);
      const updated = await o.ci.send('PUT', `${o.releases}1.0/`, { ref: 'changed', ...body });
      expect(updated.statusCode, updated.body).toBe(400);
      expect(updated.json().detail).toBe(detail);
      expect(await o.rows(), 'nothing stored').toEqual(before);
    });

    it('names the refused field as Sentry does', async () => {
      const o = await pipeline();
      const missing = await o.ci.send('POST', o.releases, {
        version: '1.0',
        projects: ['web'],
        commits: [{}],
      });
      expect(missing.json()).toMatchObject({ commits: { 0: { id: ['This field is required.'] } } });
      const type = await o.ci.send('POST', o.releases, {
        version: '1.0',
        projects: ['web'],
        commits: [{ id: 'a', patch_set: [{ path: 'a', type: 'R' }] }],
      });
      expect(type.json()).toMatchObject({
        commits: { 0: { patch_set: { 0: { type: ['Commit patch_set type R is not supported.'] } } } },
      });
    });

    it('answers 404 for commits of a release or repository that is not there', async () => {
      const o = await pipeline();
      for (const path of [
        `${o.releases}${v('nope@1')}/commits/`,
        `${o.releases}nope/commitfiles/`,
        `/projects/${o.org}/web/releases/nope/commits/`,
        `/organizations/${o.org}/repos/999999/commits/`,
        `/organizations/${o.org}/repos/abc/commits/`,
      ]) {
        const res = await o.api.send('GET', path);
        expect(res.statusCode, path).toBe(404);
        expect(res.json()).toEqual({ detail: 'The requested resource does not exist' });
      }
    });
  });
});
