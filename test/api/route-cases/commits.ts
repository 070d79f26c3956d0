import { expect } from 'vitest';
import { ORG_READ, PROJECT_RELEASES, RELEASE_DATA, REPO_LIST } from '../support/callers.js';
import { type Env, next, setup, type World } from '../support/world.js';
import type { RouteCase } from './case.js';

// The commits of a release (organization and project level), the files they changed, the
// previous release with commits, and the organization's repositories with their commits. Every
// case makes a release of its own with commits of a repository of its own.

interface Made {
  readonly version: string;
  readonly path: string;
  readonly repo: string;
  readonly shas: readonly string[];
  readonly message: string;
}

/** A release of the world's project with two commits (newest first) of a new repository. */
async function withCommits(env: Env, w: World): Promise<Made> {
  const n = next();
  const version = `web@4.${n}.0`;
  const repo = `acme/repo-${n}-z`;
  const shas = [`b${n}`.padEnd(40, 'b'), `a${n}`.padEnd(40, 'a')];
  const message = `Fix checkout ${n}-z`;
  await setup(env, 'POST', `/api/0/organizations/${w.org.slug}/releases/`, {
    version,
    projects: [w.project.slug],
    commits: [
      {
        id: shas[0],
        repository: repo,
        message,
        author_email: 'dev@example.com',
        timestamp: '2026-12-02T00:00:00Z',
        patch_set: [{ path: `src/checkout-${n}.ts`, type: 'M' }],
      },
      { id: shas[1], repository: repo, message: 'Start', timestamp: '2026-12-01T00:00:00Z' },
    ],
  });
  return {
    version,
    path: `/api/0/organizations/${w.org.slug}/releases/${encodeURIComponent(version)}/`,
    repo,
    shas,
    message,
  };
}

const releases = { grant: 'project:releases', foreign: 'deny' } as const;

/** The ids of a commit list, in order. */
const idsOf = (body: unknown) => (body as { id: string }[]).map((c) => c.id);

export const COMMITS_CASES: Record<string, RouteCase> = {
  'GET /organizations/:org/releases/:version/commits/': {
    ...releases,
    callers: RELEASE_DATA,
    prepare: async (env, w) => {
      const made = await withCommits(env, w);
      return {
        url: `${made.path}commits/`,
        secrets: [made.message, made.repo],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expect(idsOf(res.json())).toEqual(made.shas);
          expect(res.json()[0]).toMatchObject({
            message: made.message,
            repository: { name: made.repo },
            author: { email: 'dev@example.com' },
          });
        },
      };
    },
  },
  'GET /organizations/:org/releases/:version/commitfiles/': {
    ...releases,
    callers: RELEASE_DATA,
    prepare: async (env, w) => {
      const made = await withCommits(env, w);
      return {
        url: `${made.path}commitfiles/`,
        secrets: [made.message, made.repo],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json()).toEqual([
            expect.objectContaining({ type: 'M', commitMessage: made.message, repoName: made.repo }),
          ]);
        },
      };
    },
  },
  'GET /organizations/:org/releases/:version/previous-with-commits/': {
    ...releases,
    callers: RELEASE_DATA,
    prepare: async (env, w) => {
      const made = await withCommits(env, w);
      const later = `web@5.${next()}.0`;
      await setup(env, 'POST', `/api/0/organizations/${w.org.slug}/releases/`, {
        version: later,
        projects: [w.project.slug],
      });
      return {
        url: `/api/0/organizations/${w.org.slug}/releases/${encodeURIComponent(later)}/previous-with-commits/`,
        secrets: [made.version, made.message],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json()).toMatchObject({
            version: made.version,
            commitCount: 2,
            lastCommit: { id: made.shas[0], message: made.message },
            projects: [{ slug: w.project.slug }],
          });
        },
      };
    },
  },
  'GET /projects/:org/:project/releases/:version/commits/': {
    ...releases,
    callers: PROJECT_RELEASES,
    prepare: async (env, w) => {
      const made = await withCommits(env, w);
      return {
        url: `/api/0/projects/${w.org.slug}/${w.project.slug}/releases/${encodeURIComponent(made.version)}/commits/`,
        secrets: [made.message, made.repo],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expect(idsOf(res.json())).toEqual(made.shas);
        },
      };
    },
  },
  'GET /organizations/:org/repos/': {
    grant: 'org:read',
    foreign: 'deny',
    callers: REPO_LIST,
    prepare: async (env, w) => {
      const made = await withCommits(env, w);
      return {
        url: `/api/0/organizations/${w.org.slug}/repos/?query=${encodeURIComponent(made.repo)}`,
        secrets: [made.repo],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.json()).toEqual([
            expect.objectContaining({
              name: made.repo,
              provider: { id: 'unknown', name: 'Unknown Provider' },
            }),
          ]);
        },
      };
    },
  },
  'GET /organizations/:org/repos/:repo/commits/': {
    grant: 'org:read',
    foreign: 'deny',
    callers: ORG_READ,
    prepare: async (env, w) => {
      const made = await withCommits(env, w);
      const [repo] = await setup<{ id: string }[]>(
        env,
        'GET',
        `/api/0/organizations/${w.org.slug}/repos/?query=${encodeURIComponent(made.repo)}`,
      );
      return {
        url: `/api/0/organizations/${w.org.slug}/repos/${repo?.id}/commits/`,
        secrets: [made.message, made.repo],
        check: (res) => {
          expect(res.statusCode).toBe(200);
          expect(idsOf(res.json())).toEqual(made.shas);
        },
      };
    },
  },
};
