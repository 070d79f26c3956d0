import { createUser } from '../services/users.js';
import { flags, required } from './args.js';
import { withContext } from './context.js';

/** `errata user create --email E --password P [--name N] [--superuser]`. */
export async function userCreate(argv: string[]): Promise<number> {
  const f = flags(argv, {
    email: { type: 'string' },
    password: { type: 'string' },
    name: { type: 'string' },
    superuser: { type: 'boolean' },
  });
  const email = required(f.email, 'email');
  const password = required(f.password, 'password');
  const user = await withContext((ctx) =>
    createUser(ctx, {
      email,
      password,
      ...(f.name ? { name: f.name } : {}),
      isSuperuser: f.superuser ?? false,
    }),
  );
  process.stdout.write(
    `Created user ${user.email} (id ${user.id}${user.isSuperuser ? ', superuser' : ''})\n`,
  );
  return 0;
}
