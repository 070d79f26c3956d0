import type { Method } from '../../../src/api/permissions.js';
import { NO_PERMISSION, NOT_FOUND } from '../support/world.js';
import { type BadCase, VALID_BODY, type World } from './generated.js';

// Wrong types, missing fields, bad values, taken slugs and other people's ids, endpoint by endpoint.

const field = (name: string) => new RegExp(`^Invalid request body: ${name}\\b`);
const SLUG_RULE = /^Invalid slug: use lowercase letters/;
const BLANK_NAME = 'The name may not be blank.';
const ORG_TAKEN = 'An organization with this slug already exists.';
const TEAM_TAKEN = 'A team with this slug already exists.';
const PROJECT_TAKEN = 'A project with this slug already exists.';
const TOKEN_ID = 'tokenId is required.';
const UNKNOWN_RELEASE = 'statusDetails.inRelease: Unable to find a release with the given version.';
const SHA1 = 'a'.repeat(40);
const INVALID_PROJECTS = 'projects: Invalid project ids or slugs';
const SETTINGS_PROJECTS = 'projects: Invalid project ids';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const RESET_INVALID = 'This password reset link is invalid or has already been used. Ask for a new one.';

/** `{name}` in a path template stands for an id or key of the world (see `place`). */
function place(template: string, w: World): string {
  const values: Record<string, string> = {
    key: w.key,
    invitee: w.inviteeId,
    inviteToken: w.inviteToken,
    orgToken: w.orgTokenId,
    userToken: w.userTokenId,
    beeTeam: w.bee.teamId,
    beeProject: w.bee.projectId,
    beeKey: w.bee.key,
    beeMember: w.bee.memberId,
    beeOrgToken: w.bee.orgTokenId,
    beeUserToken: w.bee.userTokenId,
    issue: w.issueId,
    release: w.release,
    beeRepo: w.bee.repoId,
    rule: w.ruleId,
    beeRule: w.bee.ruleId,
  };
  return `/api/0${template.replace(/\{(\w+)\}/g, (_m, name: string) => values[name] as string)}`;
}

type Row = readonly [what: string, body: BadCase['body'], status: number, detail: BadCase['detail']];

/** The rows of one endpoint: what is wrong, the body, and the answer expected. */
function endpoint(method: Method, template: string, rows: readonly Row[], as: BadCase['as'] = 'token') {
  return rows.map(
    ([what, body, status, detail]): BadCase => ({
      name: `${method} ${template}: ${what}`,
      method,
      url: (w) => place(template, w),
      ...(body === undefined ? {} : { body }),
      as,
      status,
      detail,
    }),
  );
}

/** Malformed `commits` and `refs` of a release (sentry-cli set-commits sends them). */
const COMMIT_ROWS: readonly Row[] = [
  [
    'commits that are not a list',
    { commits: 'abc' },
    400,
    'commits: Expected a list of items but got type "str".',
  ],
  [
    'a commit without id',
    { commits: [{ repository: 'origin' }] },
    400,
    'commits[0].id: This field is required.',
  ],
  [
    'a bad patch_set type',
    { commits: [{ id: 'a', patch_set: [{ path: 'a.txt', type: 'X' }] }] },
    400,
    'commits[0].patch_set[0].type: Commit patch_set type X is not supported.',
  ],
  ['refs that are not a list', { refs: {} }, 400, 'refs: Expected a list of items but got type "dict".'],
  [
    'a ref of a repository acme does not have',
    { refs: [{ repository: 'bee-repo', commit: 'abc' }] },
    400,
    'refs: Invalid repository names: bee-repo',
  ],
];

/** Wrong types, missing fields, bad values, taken slugs and other people's ids, endpoint by endpoint. */
export const FIELD_CASES: BadCase[] = [
  ...endpoint(
    'POST',
    '/auth/login/',
    [
      ['no password', { username: 'owner@bad.test' }, 400, field('password')],
      ['a numeric username', { username: 5, password: 'x' }, 400, field('username')],
      ['an empty password', { username: 'owner@bad.test', password: '' }, 400, field('password')],
      [
        'a wrong password',
        { username: 'owner@bad.test', password: 'not it' },
        400,
        /^Please enter a correct/,
      ],
    ],
    'anonymous',
  ),
  ...endpoint(
    'POST',
    '/auth/password-reset/',
    [
      ['no email', {}, 400, field('email')],
      ['a numeric email', { email: 5 }, 400, field('email')],
      ['not an address', { email: 'nobody' }, 400, 'Enter a valid email address.'],
    ],
    'anonymous',
  ),
  ...endpoint(
    'POST',
    '/auth/password-reset/confirm/',
    [
      ['no token', { password: 'long enough password' }, 400, field('token')],
      ['no password', { token: 'a'.repeat(43) }, 400, field('password')],
      ['a short password', { token: 'a'.repeat(43), password: 'short' }, 400, /^This password is too short/],
      ['a token of the wrong shape', { token: 'abc', password: 'long enough password' }, 400, RESET_INVALID],
      ['an unknown token', { token: 'b'.repeat(43), password: 'long enough password' }, 400, RESET_INVALID],
    ],
    'anonymous',
  ),
  ...endpoint(
    'PUT',
    '/users/me/notification-settings/',
    [['workflowEmail as text', { workflowEmail: 'no' }, 400, field('workflowEmail')]],
    'session',
  ),
  ...endpoint(
    'PUT',
    '/users/me/notification-settings/acme/',
    [
      ['no projects', {}, 400, field('projects')],
      ['projects as an object', { projects: {} }, 400, field('projects')],
      ['alertEmail as text', { projects: [{ id: '1', alertEmail: 'off' }] }, 400, field('projects')],
      ['an id that is no number', { projects: [{ id: 'web', alertEmail: false }] }, 400, field('projects')],
      ['an unknown project', { projects: [{ id: '999999', alertEmail: false }] }, 400, SETTINGS_PROJECTS],
      [
        "another organization's project",
        (w: World) => ({ projects: [{ id: w.bee.projectId, alertEmail: false }] }),
        400,
        SETTINGS_PROJECTS,
      ],
    ],
    'session',
  ),
  ...endpoint(
    'PUT',
    '/users/me/notification-settings/bee/',
    [['an organization one is not in', { projects: [] }, 403, NO_PERMISSION]],
    'session',
  ),
  ...endpoint('POST', '/organizations/', [
    ['no name', {}, 400, field('name')],
    ['a numeric name', { name: 5 }, 400, field('name')],
    ['a blank name', { name: '   ' }, 400, BLANK_NAME],
    ['a name over 64 characters', { name: 'n'.repeat(65) }, 400, field('name')],
    ['a slug with spaces', { name: 'Fine', slug: 'Not A Slug' }, 400, SLUG_RULE],
    ['an all-digit slug', { name: 'Fine', slug: '12345' }, 400, SLUG_RULE],
    ['defaultTeam as text', { name: 'Fine', defaultTeam: 'yes' }, 400, field('defaultTeam')],
    ['a taken slug', { name: 'Again', slug: 'taken-org' }, 409, ORG_TAKEN],
    ["a name making another's slug", { name: 'Bee' }, 409, ORG_TAKEN],
  ]),
  ...endpoint('PUT', '/organizations/acme/', [
    ['a numeric name', { name: 5 }, 400, field('name')],
    ['a blank name', { name: ' ' }, 400, BLANK_NAME],
    ['a slug with spaces', { slug: 'Bad Slug' }, 400, SLUG_RULE],
    ['an unknown default role', { defaultRole: 'emperor' }, 400, field('defaultRole')],
    ['openMembership as text', { openMembership: 'no' }, 400, field('openMembership')],
    ['a taken slug', { slug: 'taken-org' }, 409, ORG_TAKEN],
    ["another organization's slug and a new name", { slug: 'bee', name: 'Stolen' }, 409, ORG_TAKEN],
  ]),
  ...endpoint('GET', '/users/999999/regions/', [["another person's id", undefined, 403, NO_PERMISSION]]),
  ...endpoint('POST', '/organizations/acme/teams/', [
    ['neither slug nor name', {}, 400, 'A name or slug is required.'],
    ['a numeric slug', { slug: 5 }, 400, field('slug')],
    ['a slug with spaces', { slug: 'Back End' }, 400, SLUG_RULE],
    ['a taken slug', { slug: 'backend' }, 409, TEAM_TAKEN],
    ['a name making a taken slug', { name: 'Backend' }, 409, TEAM_TAKEN],
  ]),
  ...endpoint('PUT', '/teams/acme/backend/', [
    ['an empty name', { name: '' }, 400, field('name')],
    ['a slug with spaces', { slug: 'Back End' }, 400, SLUG_RULE],
    ['a taken slug and a new name', { slug: 'acme', name: 'Taken' }, 409, TEAM_TAKEN],
  ]),
  ...endpoint('GET', '/teams/acme/{beeTeam}/', [
    ["another organization's team id", undefined, 404, NOT_FOUND],
  ]),
  ...endpoint('DELETE', '/teams/acme/{beeTeam}/', [
    ["another organization's team id", undefined, 404, NOT_FOUND],
  ]),
  ...endpoint('POST', '/teams/acme/acme/projects/', [
    ['no name', { platform: 'node' }, 400, field('name')],
    ['a numeric name', { name: 7 }, 400, field('name')],
    ['a blank name', { name: '  ' }, 400, BLANK_NAME],
    ['a slug with capitals', { name: 'Fine', slug: 'Not OK' }, 400, SLUG_RULE],
    ['a numeric platform', { name: 'Fine', platform: 3 }, 400, field('platform')],
    ['a name making a taken slug', { name: 'API' }, 409, PROJECT_TAKEN],
  ]),
  ...endpoint('POST', '/teams/acme/backend/projects/', [
    ["a slug taken in another team's project", { name: 'Web again', slug: 'web' }, 409, PROJECT_TAKEN],
  ]),
  ...endpoint('PUT', '/projects/acme/web/', [
    ['a numeric name', { name: 1 }, 400, field('name')],
    ['a blank name', { name: ' ' }, 400, BLANK_NAME],
    ['a slug in capitals', { slug: 'WEB' }, 400, SLUG_RULE],
    ['a taken slug and a new name', { slug: 'api', name: 'Taken' }, 409, PROJECT_TAKEN],
  ]),
  ...endpoint('GET', '/projects/acme/{beeProject}/', [
    ["another organization's project id", undefined, 404, NOT_FOUND],
  ]),
  ...endpoint('DELETE', '/projects/acme/{beeProject}/', [
    ["another organization's project id", undefined, 404, NOT_FOUND],
  ]),
  ...endpoint('POST', '/projects/acme/web/teams/{beeTeam}/', [
    ["another organization's team id", undefined, 404, NOT_FOUND],
  ]),
  ...endpoint('POST', '/projects/acme/web/keys/', [
    ['a numeric name', { name: 5 }, 400, field('name')],
    ['a rate limit without window', { rateLimit: { count: 5 } }, 400, field('rateLimit')],
    ['a negative rate limit', { rateLimit: { count: -1, window: 60 } }, 400, field('rateLimit')],
    ['a rate limit as text', { rateLimit: 'lots' }, 400, field('rateLimit')],
  ]),
  ...endpoint('PUT', '/projects/acme/web/keys/{key}/', [
    ['isActive as text', { isActive: 'no' }, 400, field('isActive')],
    ['an empty name', { name: '' }, 400, field('name')],
    ['a zero window', { rateLimit: { count: 1, window: 0 } }, 400, field('rateLimit')],
  ]),
  ...endpoint('PUT', '/projects/acme/api/keys/{key}/', [
    ["another project's key", { isActive: false }, 404, NOT_FOUND],
  ]),
  ...endpoint('DELETE', '/projects/acme/web/keys/{beeKey}/', [
    ["another organization's key", undefined, 404, NOT_FOUND],
  ]),
  ...endpoint('POST', '/organizations/acme/members/', [
    ['no email', { orgRole: 'member' }, 400, field('email')],
    ['a numeric email', { email: 5 }, 400, field('email')],
    ['a malformed email', { email: 'not-an-email' }, 400, 'Enter a valid email address.'],
    ['an unknown role', { email: 'fresh@bad.test', orgRole: 'emperor' }, 400, 'Invalid role: emperor'],
    ['an unknown team', { email: 'fresh@bad.test', teams: ['nope'] }, 400, 'Unknown team: nope'],
    [
      "another organization's team",
      { email: 'fresh@bad.test', teamRoles: [{ teamSlug: 'bee' }] },
      400,
      'Unknown team: bee',
    ],
    [
      'a team role without a team',
      { email: 'fresh@bad.test', teamRoles: [{ role: 'admin' }] },
      400,
      field('teamRoles'),
    ],
    [
      'a member already invited',
      { email: 'invitee@bad.test' },
      409,
      'The user invitee@bad.test is already a member or invited.',
    ],
    [
      'the owner, in capitals',
      { email: 'OWNER@bad.test' },
      409,
      'The user owner@bad.test is already a member or invited.',
    ],
  ]),
  ...endpoint('PUT', '/organizations/acme/members/{invitee}/', [
    ['an unknown role', { orgRole: 'emperor' }, 400, 'Invalid role: emperor'],
    ['a numeric role', { orgRole: 3 }, 400, field('orgRole')],
  ]),
  ...endpoint('DELETE', '/organizations/acme/members/{beeMember}/', [
    ["another organization's member", undefined, 404, NOT_FOUND],
  ]),
  ...endpoint('POST', '/organizations/acme/members/{beeMember}/teams/backend/', [
    ["another organization's member", undefined, 404, NOT_FOUND],
  ]),
  ...endpoint(
    'POST',
    '/accept-invite/acme/{invitee}/{inviteToken}/',
    [
      [
        'by someone it was not sent to (a member already)',
        undefined,
        403,
        'This invite was sent to another email address.',
      ],
    ],
    'session',
  ),
  ...endpoint(
    'POST',
    '/accept-invite/bee/{invitee}/{inviteToken}/',
    [['through the wrong organization', undefined, 404, 'Invalid invite code']],
    'session',
  ),
  ...endpoint(
    'POST',
    '/api-tokens/',
    [
      ['no scopes', { name: 'x' }, 400, field('scopes')],
      ['scopes as text', { scopes: 'org:read' }, 400, field('scopes')],
      ['an empty scope list', { scopes: [] }, 400, 'At least one scope is required.'],
      ['an unknown scope', { scopes: ['org:read', 'org:everything'] }, 400, 'Invalid scopes: org:everything'],
      ['an OpenID scope', { scopes: ['openid'] }, 400, 'Invalid scopes: openid'],
      ['a name over 255 characters', { scopes: ['org:read'], name: 'n'.repeat(256) }, 400, field('name')],
      ['an expiry of 0 days', { scopes: ['org:read'], expiresInDays: 0 }, 400, field('expiresInDays')],
    ],
    'session',
  ),
  ...endpoint(
    'PATCH',
    '/api-tokens/{userToken}/',
    [
      ['new scopes', { scopes: ['org:admin'] }, 400, 'Only the name of a token can be changed, not: scopes'],
      ['a numeric name', { name: 5 }, 400, field('name')],
    ],
    'session',
  ),
  ...endpoint(
    'PATCH',
    '/api-tokens/{beeUserToken}/',
    [["another person's token", { name: 'mine' }, 404, NOT_FOUND]],
    'session',
  ),
  ...endpoint(
    'DELETE',
    '/api-tokens/',
    [
      ['no tokenId', {}, 400, TOKEN_ID],
      ['tokenId as a word', { tokenId: 'abc' }, 400, TOKEN_ID],
      ['tokenId true', { tokenId: true }, 400, TOKEN_ID],
      ['tokenId in a list', (w: World) => ({ tokenId: [Number(w.userTokenId)] }), 400, TOKEN_ID],
      [
        'tokenId in hex',
        (w: World) => ({ tokenId: `0x${Number(w.userTokenId).toString(16)}` }),
        400,
        TOKEN_ID,
      ],
      ["another person's tokenId", (w: World) => ({ tokenId: w.bee.userTokenId }), 404, NOT_FOUND],
    ],
    'session',
  ),
  ...endpoint('POST', '/organizations/acme/org-auth-tokens/', [
    ['no name', {}, 400, ['The name cannot be blank.']],
    ['a blank name', { name: '  ' }, 400, ['The name cannot be blank.']],
    ['a numeric name', { name: 5 }, 400, field('name')],
    [
      'a name over 255 characters',
      { name: 'n'.repeat(256) },
      400,
      ['The name cannot be longer than 255 characters.'],
    ],
    [
      'an unknown scope',
      { name: 'ci', scopes: ['org:all'] },
      400,
      ['Invalid scopes for an organization token: org:all'],
    ],
    ['an empty scope list', { name: 'ci', scopes: [] }, 400, ['At least one scope is required.']],
  ]),
  ...endpoint('PUT', '/organizations/acme/org-auth-tokens/{orgToken}/', [
    ['no name', {}, 400, 'The name cannot be blank.'],
    ['a blank name', { name: ' ' }, 400, 'The name cannot be blank.'],
    [
      'a name over 255 characters',
      { name: 'n'.repeat(256) },
      400,
      'The name cannot be longer than 255 characters.',
    ],
  ]),
  ...endpoint('PUT', '/organizations/acme/org-auth-tokens/{beeOrgToken}/', [
    ["another organization's token", { name: 'mine' }, 404, NOT_FOUND],
  ]),
  ...endpoint('PUT', '/issues/{issue}/', [
    [
      'a merge of one issue, with a new status',
      { status: 'resolved', merge: 1 },
      400,
      'Merge several issues with a bulk update of the issue list.',
    ],
    [
      'a resolve in a release the project lacks',
      { status: 'resolved', statusDetails: { inRelease: 'web@9.9.9' } },
      400,
      UNKNOWN_RELEASE,
    ],
    [
      "a resolve in another organization's release",
      { status: 'resolved', statusDetails: { inRelease: 'bee-1.0' } },
      400,
      UNKNOWN_RELEASE,
    ],
    [
      'a resolve in a commit of a repository the organization lacks',
      { status: 'resolved', statusDetails: { inCommit: { commit: 'abc', repository: 'acme/web' } } },
      400,
      'statusDetails.inCommit: Unable to find the given repository.',
    ],
    [
      'a resolve in a commit without its repository',
      { status: 'resolved', statusDetails: { inCommit: { commit: 'abc' } } },
      400,
      'statusDetails.inCommit: This field is required.',
    ],
  ]),
  ...endpoint('PUT', '/organizations/acme/issues/?id={issue}', [
    [
      'a bulk resolve in a release the project lacks',
      { status: 'resolved', statusDetails: { inRelease: 'web@9.9.9' } },
      400,
      UNKNOWN_RELEASE,
    ],
  ]),
  ...endpoint('DELETE', '/organizations/acme/org-auth-tokens/{beeOrgToken}/', [
    ["another organization's token", undefined, 404, NOT_FOUND],
  ]),
  ...endpoint('POST', '/organizations/acme/releases/', [
    ['no version', { projects: ['web'] }, 400, field('version')],
    ['a numeric version', { version: 1, projects: ['web'] }, 400, field('version')],
    ['an empty version', { version: '', projects: ['web'] }, 400, 'version: This field may not be blank.'],
    [
      'a version ".."',
      { version: '..', projects: ['web'] },
      400,
      'version: Release with name .. is not allowed',
    ],
    [
      'a version "."',
      { version: '.', projects: ['web'] },
      400,
      'version: Release with name . is not allowed',
    ],
    ['a version with a slash', { version: 'web/1', projects: ['web'] }, 400, /^version: Release with name/],
    ['a version with a newline', { version: '1\n2', projects: ['web'] }, 400, /^version: Release with name/],
    [
      'a version of 300 characters',
      { version: 'v'.repeat(300), projects: ['web'] },
      400,
      'version: Ensure this field has no more than 200 characters.',
    ],
    ['no projects', { version: '2.0' }, 400, field('projects')],
    [
      'an unknown project',
      { version: '2.0', projects: ['nope'] },
      400,
      'projects: Invalid project ids or slugs',
    ],
    [
      "another organization's project",
      { version: '2.0', projects: ['bee-web'] },
      400,
      'projects: Invalid project ids or slugs',
    ],
    [
      'a date that is no date',
      { version: '2.0', projects: ['web'], dateReleased: 'soon' },
      400,
      'dateReleased: Datetime has wrong format.',
    ],
  ]),
  ...endpoint('POST', '/projects/acme/web/releases/', [
    ['no version', {}, 400, field('version')],
    ['an empty version', { version: '' }, 400, 'version: This field may not be blank.'],
    ['a version ".."', { version: '..' }, 400, 'version: Release with name .. is not allowed'],
    ['a version with a slash', { version: 'web/1' }, 400, /^version: Release with name/],
    [
      'a version of 300 characters',
      { version: 'v'.repeat(300) },
      400,
      'version: Ensure this field has no more than 200 characters.',
    ],
    [
      'a date that is no date',
      { version: '2.0', dateReleased: 'soon' },
      400,
      'dateReleased: Datetime has wrong format.',
    ],
  ]),
  ...endpoint('POST', '/projects/acme/nope/releases/', [
    ['an unknown project', { version: '2.0' }, 404, NOT_FOUND],
  ]),
  ...endpoint('PUT', '/organizations/acme/releases/{release}/', [
    ['a numeric ref', { ref: 5 }, 400, field('ref')],
    ['a date that is no date', { dateReleased: 'soon' }, 400, 'dateReleased: Datetime has wrong format.'],
    ...COMMIT_ROWS,
  ]),
  ...endpoint(
    'POST',
    '/organizations/acme/releases/',
    COMMIT_ROWS.map(
      ([what, body, status, detail]): Row => [
        what,
        { version: '2.0', projects: ['web'], ...(body as object) },
        status,
        detail,
      ],
    ),
  ),
  ...endpoint('GET', '/organizations/acme/repos/{beeRepo}/commits/', [
    ["another organization's repository", undefined, 404, NOT_FOUND],
  ]),
  ...endpoint('POST', '/organizations/acme/releases/{release}/deploys/', [
    ['no environment', {}, 400, field('environment')],
    ['an empty environment', { environment: '' }, 400, 'environment: Invalid value for environment'],
    [
      'an environment with a slash',
      { environment: 'a/b' },
      400,
      'environment: Invalid value for environment',
    ],
    ['an environment over 64 characters', { environment: 'e'.repeat(65) }, 400, field('environment')],
    [
      'a date that is no date',
      { environment: 'production', dateFinished: 'soon' },
      400,
      'dateFinished: Datetime has wrong format.',
    ],
  ]),
  ...endpoint('POST', '/organizations/acme/releases/bee-1.0/deploys/', [
    ["another organization's release", { environment: 'production' }, 404, NOT_FOUND],
  ]),
  ...endpoint(
    'POST',
    '/organizations/acme/artifactbundle/assemble/',
    (
      [
        ['no checksum', { checksum: undefined }, 400, field('checksum')],
        ['a checksum that is no SHA-1', { checksum: 'abc' }, 400, field('checksum')],
        ['chunks as text', { chunks: 'x' }, 400, field('chunks')],
        ['a chunk that is no SHA-1', { chunks: ['x'] }, 400, field('chunks')],
        ['no projects', { projects: undefined }, 400, field('projects')],
        ['an unknown project', { projects: ['nope'] }, 400, INVALID_PROJECTS],
        ["another organization's project", { projects: ['bee-web'] }, 400, INVALID_PROJECTS],
        ['a dist without a version', { dist: '7' }, 400, 'dist: A dist needs a version.'],
        [
          'a version Sentry refuses',
          { version: 'a/b' },
          400,
          'version: Release with name a/b is not allowed',
        ],
      ] as const
    ).map(
      ([what, body, status, detail]): Row => [
        what,
        { checksum: SHA1, chunks: [SHA1], projects: ['web'], ...(body as object) },
        status,
        detail,
      ],
    ),
  ),
  ...endpoint('POST', '/organizations/acme/chunk-upload/', [
    ['JSON instead of multipart chunks', { file: 'x' }, 400, /^Send chunks as multipart\/form-data/],
  ]),
  ...endpoint('POST', '/organizations/bee/chunk-upload/', [
    ["another organization's chunk upload", { file: 'x' }, 403, NO_PERMISSION],
  ]),
  ...endpoint('POST', '/projects/acme/web/files/difs/assemble/', [
    ['a key that is no SHA-1', { nope: { chunks: [] } }, 400, '"nope" is not a SHA-1 checksum.'],
    ['a file that is no object', { [SHA1]: 5 }, 400, field(SHA1)],
  ]),
  ...endpoint(
    'DELETE',
    '/projects/acme/bee-web/files/artifact-bundles/00000000-0000-0000-0000-000000000001/',
    [["another organization's project", undefined, 404, NOT_FOUND]],
  ),
  ...endpoint(
    'POST',
    '/projects/acme/web/rules/',
    (
      [
        ['no name', () => ({ name: undefined }), 'name: This field is required.'],
        [
          'a frequency under 5 minutes',
          () => ({ frequency: '4' }),
          'frequency: Ensure this value is greater than or equal to 5.',
        ],
        [
          'an unknown condition',
          () => ({ conditions: [{ id: 'nope' }] }),
          "conditions[0].id: Invalid node. Could not find 'nope'",
        ],
        [
          'an environment acme never saw',
          () => ({ environment: 'staging' }),
          'environment: This environment has not been created.',
        ],
        [
          "another organization's team",
          (w: World) => ({
            actions: [
              {
                id: 'sentry.mail.actions.NotifyEmailAction',
                targetType: 'Team',
                targetIdentifier: w.bee.teamId,
              },
            ],
          }),
          /^actions\[0\]\.targetIdentifier: Team \d+ is not in this organization\.$/,
        ],
      ] as const
    ).map(
      ([what, change, detail]): Row => [
        what,
        (w: World) => ({ ...(VALID_BODY['POST /projects/:org/:project/rules/'] as object), ...change(w) }),
        400,
        detail,
      ],
    ),
  ),
  ...endpoint(
    'POST',
    '/organizations/acme/monitors/',
    (
      [
        [
          'an invalid crontab',
          { config: { schedule_type: 'crontab', schedule: '61 * * * *' } },
          /^config\.Schedule was not parseable/,
        ],
        [
          'a six-field crontab',
          { config: { schedule: '0 0 3 * * *' } },
          /^config\.Schedule was not parseable/,
        ],
        [
          'an unknown schedule type',
          { config: { schedule_type: 'weekly', schedule: 'x' } },
          'config.schedule_type: "weekly" is not a valid choice.',
        ],
        [
          'an interval of no unit',
          { config: { schedule_type: 'interval', schedule: [2, 'fortnight'] } },
          /^config\.schedule: The interval unit must be one of/,
        ],
        [
          'an unknown time zone',
          { config: { schedule: '0 * * * *', timezone: 'Mars/Olympus' } },
          'config.timezone: "Mars/Olympus" is not a valid time zone.',
        ],
        [
          'a margin of 0',
          { config: { schedule: '0 * * * *', checkin_margin: 0 } },
          'config.checkin_margin: Ensure this value is greater than or equal to 1.',
        ],
        ['no config', { config: undefined }, 'config: This field is required.'],
        ['a slug of 200 characters', { slug: 'a'.repeat(200) }, /^slug: Invalid monitor slug/],
        ['a slug of digits only', { slug: '12345' }, /^slug: Invalid monitor slug/],
        ['a slug taken', { slug: 'nightly' }, 'slug: A monitor with this slug already exists.'],
        ["another organization's project", { project: 'bee-web' }, 'project: Invalid project.'],
        ['no name', { name: undefined }, 'name: This field is required.'],
        ['an unknown status', { status: 'paused' }, 'status: Choose active or disabled.'],
      ] as const
    ).map(
      ([what, change, detail]): Row => [
        what,
        { ...(VALID_BODY['POST /organizations/:org/monitors/'] as object), ...change },
        400,
        detail,
      ],
    ),
  ),
  ...endpoint('PUT', '/projects/acme/web/monitors/nightly/', [
    ['an invalid crontab', { config: { schedule: 'every day' } }, 400, /^config\.Schedule was not parseable/],
    ['a slug of 200 characters', { slug: 'b'.repeat(200) }, 400, /^slug: Invalid monitor slug/],
  ]),
  ...endpoint('GET', '/projects/acme/web/monitors/bee-nightly/', [
    ["another organization's monitor", undefined, 404, NOT_FOUND],
  ]),
  ...endpoint(
    'POST',
    '/projects/acme/web/user-feedback/',
    (
      [
        ['no comments', { comments: undefined }, field('comments')],
        ['an invalid email', { email: 'jane' }, 'email: Enter a valid email address.'],
        ['a name of spaces', { name: '   ' }, 'name: This field may not be blank.'],
        [
          'an event id that is no id',
          { event_id: 'nope' },
          'event_id: Enter a valid event id (32 hex digits).',
        ],
        ['comments that are no text', { comments: 5 }, field('comments')],
      ] as const
    ).map(
      ([what, change, detail]): Row => [
        what,
        { ...(VALID_BODY['POST /projects/:org/:project/user-feedback/'] as object), ...change },
        400,
        detail,
      ],
    ),
  ),
  ...endpoint('GET', '/organizations/acme/user-feedback/?status=resolved', [
    [
      'an unknown status',
      undefined,
      400,
      'Invalid status choice: use "unresolved", or an empty status for every report.',
    ],
  ]),
  ...endpoint('GET', '/organizations/acme/user-feedback/?project=bee-web', [
    ["another organization's project", undefined, 403, NO_PERMISSION],
  ]),
  ...endpoint('GET', '/projects/acme/web/user-feedback/?statsPeriod=soon', [
    ['a bad statsPeriod', undefined, 400, /statsPeriod/],
  ]),
  ...endpoint('GET', '/projects/acme/web/rules/{beeRule}/', [
    ["another organization's rule", undefined, 404, NOT_FOUND],
  ]),
  ...endpoint('DELETE', '/projects/acme/web/rules/{beeRule}/', [
    ["another organization's rule", undefined, 404, NOT_FOUND],
  ]),
  ...endpoint('GET', '/projects/acme/web/rules/{beeRule}/deliveries/', [
    ["another organization's rule", undefined, 404, NOT_FOUND],
  ]),
  ...endpoint('POST', '/projects/acme/web/rule-actions/', [
    ['no actions', {}, 400, 'actions: No actions to perform.'],
    [
      'actions that are not a list',
      { actions: 'email' },
      400,
      'actions: Expected a list of items but got type "string".',
    ],
    [
      'an unknown action',
      { actions: [{ id: 'nope' }] },
      400,
      "actions[0].id: Invalid node. Could not find 'nope'",
    ],
    [
      "another organization's rule",
      (w: World) => ({
        ...(VALID_BODY['POST /projects/:org/:project/rule-actions/'] as object),
        ruleId: w.bee.ruleId,
      }),
      400,
      'ruleId: This project has no such rule.',
    ],
  ]),
  ...endpoint('PUT', '/projects/acme/web/plugins/webhooks/', [
    ['a URL that is not http', { urls: 'ftp://hooks.example/x' }, 400, 'urls: Not a valid URL.'],
    ['urls as a list', { urls: ['https://hooks.example/x'] }, 400, 'urls: Not a valid string.'],
  ]),
  // Triage reads: searches and windows that cannot be read.
  ...endpoint('GET', '/organizations/acme/issues/{issue}/events/?query=is:unresolved', [
    [
      'an issue term in an event search',
      undefined,
      400,
      /^Error parsing search query: "is:" searches issues/,
    ],
  ]),
  ...endpoint('GET', '/organizations/acme/issues/{issue}/events/?query=user.phone:1', [
    [
      'an unknown user field',
      undefined,
      400,
      /^Error parsing search query: Unknown user field "user\.phone"/,
    ],
  ]),
  ...endpoint('GET', '/organizations/acme/issues/{issue}/events/?statsPeriod=soon', [
    ['a period without a unit', undefined, 400, /^Invalid statsPeriod: soon/],
  ]),
  ...endpoint('GET', '/organizations/acme/issues/?query=user.email:%22ann', [
    ['an unterminated quote', undefined, 400, /^Error parsing search query: Unterminated quote/],
  ]),
  ...endpoint('GET', '/organizations/acme/issues/?groupStatsPeriod=3d', [
    ['a graph period Sentry does not have', undefined, 400, /^Invalid groupStatsPeriod/],
  ]),
  ...endpoint('GET', '/organizations/acme/events-stats/?query=browser:Chrome', [
    ['no issue.id', undefined, 400, /issue\.id/],
  ]),
  ...endpoint('GET', '/organizations/acme/events-stats/?query=issue.id:abc', [
    ['an issue id that is not a number', undefined, 400, /invalid issue\.id: abc/],
  ]),
  ...endpoint('GET', '/organizations/acme/events-stats/?query=issue.id:{issue}&interval=1s&statsPeriod=30d', [
    ['too many points', undefined, 400, /too many results/],
  ]),
  ...endpoint('GET', '/organizations/acme/events-stats/?query=issue.id:{issue}&topEvents=100&field=release', [
    ['too many top events', undefined, 400, /^topEvents must be/],
  ]),
  ...endpoint('GET', '/organizations/acme/events-stats/?query=issue.id:{issue}&yAxis=p95()', [
    ['an unsupported yAxis', undefined, 400, /yAxis/],
  ]),
  ...endpoint('GET', '/organizations/acme/sessions/?field=sum(session)&field=p95(session.duration)', [
    ['an unknown field', undefined, 400, 'Invalid field: "p95(session.duration)"'],
  ]),
  ...endpoint('GET', '/organizations/acme/sessions/?field=sum(session)&groupBy=browser', [
    ['an unknown groupBy', undefined, 400, 'Invalid groupBy: "browser"'],
  ]),
  ...endpoint('GET', '/organizations/acme/sessions/?groupBy=release', [
    ['no field', undefined, 400, 'Request is missing a "field"'],
  ]),
  ...endpoint('GET', '/organizations/acme/sessions/?field=sum(session)&interval=10m', [
    ['an interval under an hour', undefined, 400, /minimum interval of one hour/],
  ]),
  ...endpoint('GET', '/organizations/acme/sessions/?field=sum(session)&statsPeriod=90d&interval=1h', [
    ['too many intervals', undefined, 400, /too many results/],
  ]),
  ...endpoint('GET', '/organizations/acme/sessions/?field=sum(session)&query=user.id:1', [
    ['an unsupported query key', undefined, 400, /^Invalid query field: "user\.id"/],
  ]),
  ...endpoint('GET', '/organizations/acme/releases/?health=1&healthStatsPeriod=1y', [
    ['an unknown healthStatsPeriod', undefined, 400, /^healthStatsPeriod must be one of/],
  ]),
  ...endpoint('GET', '/organizations/acme/tags/?start=2026-01-01', [
    ['start without end', undefined, 400, 'start and end are both required'],
  ]),
  ...endpoint('GET', '/organizations/acme/tags/level/values/?sort=size', [
    ['an unknown sort', undefined, 400, /^Invalid sort/],
  ]),
  ...endpoint('GET', '/organizations/acme/tags/level/values/?per_page=1000', [
    ['too many per page', undefined, 400, 'Invalid per_page value. Cannot exceed 100.'],
  ]),
  ...endpoint('GET', '/organizations/acme/events/?field=message', [
    ['no dataset', undefined, 400, /^A dataset is required/],
  ]),
  ...endpoint('GET', '/organizations/acme/events/?dataset=profiles&field=id', [
    ['a dataset Errata does not answer', undefined, 400, /^Unsupported dataset: "profiles"/],
  ]),
  ...endpoint('GET', '/organizations/acme/events/?dataset=logs', [
    ['no field', undefined, 400, 'No columns selected'],
  ]),
  ...endpoint('GET', '/organizations/acme/events/?dataset=logs&field=message&field=median()', [
    ['an unknown function', undefined, 400, /^Unknown function: median\(\)/],
  ]),
  ...endpoint('GET', '/organizations/acme/events/?dataset=logs&field=failure_rate()', [
    ['a function the dataset does not have', undefined, 400, /^Unknown function: failure_rate\(\)/],
  ]),
  ...endpoint('GET', '/organizations/acme/events/?dataset=spans&field=transaction&field=p95(span.op)', [
    [
      'a percentile of a string field',
      undefined,
      400,
      /^Invalid argument: p95\(span\.op\) needs one numeric field, and "span\.op" is a string field/,
    ],
  ]),
  ...endpoint('GET', '/organizations/acme/events/?dataset=logs&field=avg(message)', [
    ['an average of text', undefined, 400, /^Invalid argument: avg\(message\)/],
  ]),
  ...endpoint('GET', '/organizations/acme/events/?dataset=transactions&field=avg()', [
    ['a function without its argument', undefined, 400, /^Invalid function: avg\(\) takes one numeric field/],
  ]),
  ...endpoint('GET', '/organizations/acme/events/?dataset=spans&field=count(span.op,%20span.status)', [
    [
      'a function with too many arguments',
      undefined,
      400,
      /^Invalid function: count\(span\.op, span\.status\)/,
    ],
  ]),
  ...endpoint('GET', '/organizations/acme/events/?dataset=spans&field=count_unique(user.nope)', [
    ['a function of an unknown field', undefined, 400, /^Unknown field: "user\.nope" in count_unique/],
  ]),
  ...endpoint('GET', '/organizations/acme/events/?dataset=spans&field=percentile(span.duration,%201.5)', [
    ['a quantile above 1', undefined, 400, /needs a quantile from 0 to 1/],
  ]),
  ...endpoint(
    'GET',
    '/organizations/acme/events/?dataset=spans&field=transaction&field=count()&sort=-p95()',
    [['a sort by a function not selected', undefined, 400, /^Cannot sort by "p95\(\)"/]],
  ),
  ...endpoint('GET', '/organizations/acme/events/?dataset=transactions&field=span.description', [
    ['a spans field in the transactions dataset', undefined, 400, /^Unknown field: "span\.description"/],
  ]),
  ...endpoint('GET', '/organizations/acme/events/?dataset=spans&field=count()&query=span.duration:%3Eslow', [
    [
      'a duration that is not one',
      undefined,
      400,
      /^Error parsing search query: Invalid duration for "span\.duration"/,
    ],
  ]),
  ...endpoint('GET', '/organizations/acme/events/?dataset=spans&field=count()&query=is_transaction:maybe', [
    ['a boolean that is not one', undefined, 400, /^Invalid query: "is_transaction" is true or false/],
  ]),
  ...endpoint('GET', '/organizations/acme/events/?dataset=spans&field=count()&query=span.nope:1', [
    [
      'a search on an unknown field',
      undefined,
      400,
      /^Invalid query: "span\.nope" is not a field of the spans dataset/,
    ],
  ]),
  ...endpoint('GET', '/organizations/acme/events/?dataset=spans&field=count()&query=count():%3E10', [
    ['a filter on a function', undefined, 400, /^Invalid query: filters on functions/],
  ]),
  ...endpoint(
    'GET',
    '/organizations/acme/events/?dataset=transactions&field=count()&query=timestamp:yesterday',
    [['a date that is not one', undefined, 400, /^Error parsing search query: Invalid date for "timestamp"/]],
  ),
  ...endpoint('GET', '/organizations/acme/events/?dataset=logs&field=message&field=bad%20name', [
    ['an unknown field', undefined, 400, /^Unknown field: "bad name"/],
  ]),
  ...endpoint('GET', '/organizations/acme/events/?dataset=logs&field=message&sort=-timestamp', [
    ['a sort that is not a selected field', undefined, 400, /^Cannot sort by "timestamp"/],
  ]),
  ...endpoint('GET', '/organizations/acme/events/?dataset=logs&field=message&query=%22open', [
    ['an unterminated quote', undefined, 400, /^Error parsing search query: Unterminated quote/],
  ]),
  ...endpoint('GET', '/organizations/acme/events/?dataset=logs&field=message&query=has:%22a%20b%22', [
    ['has: without an attribute name', undefined, 400, /^Invalid query: has:/],
  ]),
  ...endpoint('GET', '/organizations/acme/events/?dataset=logs&field=message&statsPeriod=forever', [
    ['an unknown statsPeriod', undefined, 400, /^Invalid statsPeriod: forever/],
  ]),
  ...endpoint('GET', '/organizations/acme/events/?dataset=logs&field=message&per_page=101', [
    ['too many per page', undefined, 400, 'Invalid per_page value. Cannot exceed 100.'],
  ]),
  ...endpoint('GET', '/organizations/acme/events/?dataset=logs&field=message&cursor=0:x:0', [
    ['a bad cursor', undefined, 400, 'Invalid cursor parameter.'],
  ]),
  ...endpoint('GET', '/projects/acme/web/trace-items/0123456789abcdef0123456789abcdef/?item_type=spans', [
    ['an item type Errata does not answer', undefined, 400, /^Unsupported item_type: "spans"/],
  ]),
  ...endpoint('GET', '/projects/acme/web/trace-items/not-an-id/?item_type=logs', [
    ['a malformed item id', undefined, 404, NOT_FOUND],
  ]),
  ...endpoint('GET', '/organizations/acme/events/?dataset=logs&field=message&query=a%20OR%20b', [
    ['OR, which the logs search does not read', undefined, 400, /^Invalid query: OR and parentheses/],
  ]),
  ...endpoint('GET', '/organizations/acme/trace/not-a-trace-id/', [
    ['a malformed trace id', undefined, 400, /^Invalid trace id: "not-a-trace-id"/],
  ]),
  ...endpoint('GET', '/organizations/acme/trace-meta/0123456789abcdef/', [
    ['a span id for a trace id', undefined, 400, /^Invalid trace id: "0123456789abcdef"/],
  ]),
  ...endpoint('GET', `/organizations/acme/trace/${TRACE_ID}/?errorId=nope`, [
    ['a malformed errorId', undefined, 400, 'eventId: nope needs to be a valid uuid'],
  ]),
  ...endpoint('GET', `/organizations/acme/trace/${TRACE_ID}/?statsPeriod=forever`, [
    ['an unknown statsPeriod', undefined, 400, /^Invalid statsPeriod: forever/],
  ]),
  ...endpoint('GET', `/organizations/acme/trace-meta/${TRACE_ID}/?start=2026-01-01`, [
    ['start without end', undefined, 400, 'start and end are both required'],
  ]),
  ...endpoint('GET', `/organizations/acme/trace-meta/${TRACE_ID}/?timestamp=yesterday`, [
    ['a timestamp that is no date', undefined, 400, 'Invalid timestamp: yesterday'],
  ]),
];
