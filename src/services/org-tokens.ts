import { isScope, ORG_TOKEN_SCOPES, type Scope } from '../auth/scopes.js';
import { generateOrgToken, hashToken, lastCharacters } from '../auth/tokens.js';
import { badRequest } from '../lib/app-error.js';
import { findOrgMappingById } from '../store/control/org-mappings.js';
import { insertOrgToken } from '../store/control/org-tokens.js';
import type { OrgToken } from '../store/types.js';
import type { ServiceContext } from './context.js';
import { regionUrl } from './regions.js';

export const DEFAULT_ORG_TOKEN_SCOPES: readonly Scope[] = ['org:ci'];

/** Validates an organization token's scopes: `org:ci` and the organization-level scopes of the role table. */
export function parseOrgTokenScopes(scopes: readonly unknown[] | undefined): Scope[] {
  if (scopes === undefined) return [...DEFAULT_ORG_TOKEN_SCOPES];
  if (scopes.length === 0) throw badRequest({ detail: ['At least one scope is required.'] });
  const bad = scopes.filter((s) => !isScope(s) || !ORG_TOKEN_SCOPES.has(s));
  if (bad.length > 0)
    throw badRequest({ detail: [`Invalid scopes for an organization token: ${bad.map(String).join(', ')}`] });
  return [...new Set(scopes as Scope[])].sort();
}

/**
 * Mints an organization token whose payload names the organization and its region's URL (as both
 * `url`, which sentry-cli follows, and `region_url`), so that sentry-cli finds both from the token
 * alone and talks to the region straight away. The plaintext is returned once, never stored.
 */
export async function createOrgToken(
  ctx: ServiceContext,
  input: {
    organizationId: number;
    orgSlug: string;
    name: string;
    scopes: readonly Scope[];
    createdById: number | null;
  },
): Promise<{ token: string; record: OrgToken }> {
  const now = ctx.now();
  const mapping = await findOrgMappingById(ctx.db.control, input.organizationId);
  const url = regionUrl(ctx.config, mapping?.region ?? ctx.config.region);
  const token = generateOrgToken({ iat: now / 1000, url, region_url: url, org: input.orgSlug });
  const record = await insertOrgToken(ctx.db.control, {
    organizationId: input.organizationId,
    name: input.name,
    tokenHash: hashToken(token),
    lastChars: lastCharacters(token),
    scopes: input.scopes,
    createdById: input.createdById,
    now,
  });
  return { token, record };
}

/** Sentry's rules for an organization token's name. */
export function validateOrgTokenName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '')
    throw badRequest({ detail: ['The name cannot be blank.'] });
  if (name.length > 255) throw badRequest({ detail: ['The name cannot be longer than 255 characters.'] });
  return name.trim();
}
