import { randomBytes } from 'node:crypto';
import { DEFAULT_RULE } from '../alerts/default-rule.js';
import { AppError } from '../lib/app-error.js';
import { isUniqueViolation } from '../store/conflict.js';
import { insertAlertRule } from '../store/region/alert-rules.js';
import { insertProjectKey } from '../store/region/project-keys.js';
import { addProjectTeam, insertProject } from '../store/region/projects.js';
import type { Project, ProjectKey } from '../store/types.js';
import type { ServiceContext } from './context.js';
import { requireSlug, slugify } from './slugs.js';

/** A new DSN key pair: 32 lowercase hex characters each, as Sentry's. */
export function generateKeyPair(): { publicKey: string; secretKey: string } {
  return { publicKey: randomBytes(16).toString('hex'), secretKey: randomBytes(16).toString('hex') };
}

/** Creates a DSN key for a project. */
export async function createProjectKey(
  ctx: ServiceContext,
  input: { projectId: number; name?: string; rateLimit?: { count: number; window: number } | null },
): Promise<ProjectKey> {
  return insertProjectKey(ctx.db.region, {
    projectId: input.projectId,
    ...generateKeyPair(),
    name: input.name?.trim() || 'Default',
    rateLimit: input.rateLimit ?? null,
    now: ctx.now(),
  });
}

/**
 * Creates a project owned by a team, with its first DSN key and (unless `defaultRules` is false,
 * Sentry's `default_rules`) the default alert rule, in one transaction.
 */
export async function createProject(
  ctx: ServiceContext,
  input: {
    organizationId: number;
    teamId: number | null;
    name: string;
    slug?: string;
    platform?: string | null;
    /** Default true. */
    defaultRules?: boolean;
  },
): Promise<{ project: Project; key: ProjectKey }> {
  const slug = input.slug === undefined ? slugify(input.name) : requireSlug(input.slug);
  const now = ctx.now();
  try {
    return await ctx.db.region.transaction().execute(async (trx) => {
      const project = await insertProject(trx, {
        organizationId: input.organizationId,
        slug,
        name: input.name,
        platform: input.platform ?? null,
        now,
      });
      if (input.teamId !== null) await addProjectTeam(trx, project.id, input.teamId);
      const key = await insertProjectKey(trx, {
        projectId: project.id,
        ...generateKeyPair(),
        name: 'Default',
        rateLimit: null,
        now,
      });
      if (input.defaultRules !== false) {
        await insertAlertRule(trx, { ...DEFAULT_RULE, projectId: project.id, createdById: null, now });
      }
      return { project, key };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('conflict', 'A project with this slug already exists.');
    throw error;
  }
}

/** The DSN an SDK is given: `scheme://public@host/project_id`, with the host of the public URL. */
export function formatPublicDsn(baseUrl: string, key: { publicKey: string; projectId: number }): string {
  const url = new URL(baseUrl);
  return `${url.protocol}//${key.publicKey}@${url.host}${url.pathname.replace(/\/$/, '')}/${key.projectId}`;
}
