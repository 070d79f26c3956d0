import type { Scope } from '../auth/scopes.js';
import { createOrgToken, parseOrgTokenScopes } from '../services/org-tokens.js';
import { findOrgMapping } from '../store/control/org-mappings.js';
import { flags, required, UsageError } from './args.js';
import { withContext } from './context.js';

/** `errata org-token create --org SLUG [--name N] [--scopes s1,s2]` (default scope org:ci): prints the token last. */
export async function orgTokenCreate(argv: string[]): Promise<number> {
  const f = flags(argv, { org: { type: 'string' }, name: { type: 'string' }, scopes: { type: 'string' } });
  const slug = required(f.org, 'org');
  const scopes: Scope[] = parseOrgTokenScopes(
    f.scopes
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  const { token, record } = await withContext(async (ctx) => {
    const org = await findOrgMapping(ctx.db.control, slug);
    if (!org) throw new UsageError(`no organization ${slug}`);
    return createOrgToken(ctx, {
      organizationId: org.id,
      orgSlug: org.slug,
      name: f.name ?? 'cli',
      scopes,
      createdById: null,
    });
  });
  process.stdout.write(
    `Created organization token ${record.id} for ${slug} with scopes ${record.scopes.join(' ')}\n${token}\n`,
  );
  return 0;
}
