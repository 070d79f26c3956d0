import { randomBytes } from 'node:crypto';
import { USER_TOKEN_SCOPES } from '../auth/scopes.js';
import { AppError } from '../lib/app-error.js';
import { countUsers } from '../store/control/users.js';
import type { ServiceContext } from './context.js';
import { createOrganization } from './organizations.js';
import { createProject, formatPublicDsn } from './projects.js';
import { createUserToken } from './user-tokens.js';
import { createUser } from './users.js';

export interface FirstStart {
  readonly email: string;
  /** Set only when Errata chose the password; an operator's own password is never echoed. */
  readonly generatedPassword: string | null;
  readonly token: string;
  readonly dsn: string;
  readonly orgSlug: string;
  readonly projectSlug: string;
}

/**
 * On an empty database, creates the owner, an organization with a team, a project and its DSN
 * key, and a personal token with every scope. Returns null when any user exists already (so a
 * restart creates and prints nothing) or another node starting at the same time created it first.
 */
export async function firstStart(ctx: ServiceContext): Promise<FirstStart | null> {
  if ((await countUsers(ctx.db.control)) > 0) return null;
  const generatedPassword = ctx.config.adminPassword ? null : randomBytes(12).toString('base64url');
  const password = ctx.config.adminPassword ?? (generatedPassword as string);
  const user = await createUser(ctx, {
    email: ctx.config.adminEmail,
    password,
    name: 'Admin',
    isSuperuser: true,
  }).catch((error: unknown) => {
    // Nodes started together on an empty database: the one whose owner row lands first sets up.
    if (error instanceof AppError && error.code === 'conflict') return null;
    throw error;
  });
  if (user === null) return null;
  const slug = ctx.config.initialOrg;
  const { organization, team } = await createOrganization(ctx, { name: slug, slug, owner: user });
  const { key } = await createProject(ctx, {
    organizationId: organization.id,
    teamId: team?.id ?? null,
    name: ctx.config.initialProject,
    slug: ctx.config.initialProject,
    platform: 'node',
  });
  const { token } = await createUserToken(ctx, {
    userId: user.id,
    scopes: [...USER_TOKEN_SCOPES],
    name: 'first start',
  });
  return {
    email: user.email,
    generatedPassword,
    token,
    dsn: formatPublicDsn(ctx.config.url, key),
    orgSlug: organization.slug,
    projectSlug: ctx.config.initialProject,
  };
}
