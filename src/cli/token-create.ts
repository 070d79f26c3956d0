import { createUserToken } from '../services/user-tokens.js';
import { findUserByEmail } from '../store/control/users.js';
import { flags, required, UsageError } from './args.js';
import { withContext } from './context.js';

/** `errata token create --user E --scopes s1,s2 [--name N] [--expires-in-days N]`: prints the token last. */
export async function tokenCreate(argv: string[]): Promise<number> {
  const f = flags(argv, {
    user: { type: 'string' },
    scopes: { type: 'string' },
    name: { type: 'string' },
    'expires-in-days': { type: 'string' },
  });
  const email = required(f.user, 'user');
  const scopes = required(f.scopes, 'scopes')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const daysText = f['expires-in-days'];
  if (daysText !== undefined && !/^\d+$/.test(daysText))
    throw new UsageError('--expires-in-days must be a whole number');
  const { token, record } = await withContext(async (ctx) => {
    const user = await findUserByEmail(ctx.db.control, email);
    if (!user) throw new UsageError(`no user with email ${email}`);
    return createUserToken(ctx, {
      userId: user.id,
      scopes,
      name: f.name ?? null,
      expiresInDays: daysText === undefined ? null : Number(daysText),
    });
  });
  process.stdout.write(
    `Created token ${record.id} for ${email} with scopes ${record.scopes.join(' ')}\n${token}\n`,
  );
  return 0;
}
