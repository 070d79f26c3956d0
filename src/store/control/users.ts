import type { Kysely, Selectable } from 'kysely';
import type { ControlSchema, UserTable } from '../schema.js';
import type { User } from '../types.js';

type Db = Kysely<ControlSchema>;

function toUser(row: Selectable<UserTable>): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    isSuperuser: row.is_superuser === 1,
    isActive: row.is_active === 1,
    hasPassword: row.password_hash !== null,
    dateJoined: row.date_joined,
    lastLogin: row.last_login,
  };
}

export async function insertUser(
  db: Db,
  user: { email: string; name: string; passwordHash: string | null; isSuperuser: boolean; now: number },
): Promise<User> {
  const row = await db
    .insertInto('users')
    .values({
      email: user.email,
      name: user.name,
      password_hash: user.passwordHash,
      is_superuser: user.isSuperuser ? 1 : 0,
      is_active: 1,
      date_joined: user.now,
      last_login: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toUser(row);
}

export async function findUserById(db: Db, id: number): Promise<User | undefined> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toUser(row);
}

export async function findUsersByIds(db: Db, ids: readonly number[]): Promise<Map<number, User>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('users')
    .selectAll()
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((row) => [row.id, toUser(row)]));
}

export async function findUserByEmail(db: Db, email: string): Promise<User | undefined> {
  const row = await db
    .selectFrom('users')
    .selectAll()
    .where('email', '=', email.toLowerCase())
    .executeTakeFirst();
  return row && toUser(row);
}

/** Active users with these emails (emails are stored in lower case), by email. */
export async function findActiveUsersByEmails(db: Db, emails: readonly string[]): Promise<Map<string, User>> {
  if (emails.length === 0) return new Map();
  const rows = await db
    .selectFrom('users')
    .selectAll()
    .where('email', 'in', [...new Set(emails.map((e) => e.toLowerCase()))])
    .where('is_active', '=', 1)
    .execute();
  return new Map(rows.map((row) => [row.email, toUser(row)]));
}

/** The stored password hash, for sign-in only. */
export async function findPasswordHash(db: Db, userId: number): Promise<string | null> {
  const row = await db
    .selectFrom('users')
    .select('password_hash')
    .where('id', '=', userId)
    .executeTakeFirst();
  return row?.password_hash ?? null;
}

export async function countUsers(db: Db): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function updateUserLastLogin(db: Db, userId: number, now: number): Promise<void> {
  await db.updateTable('users').set({ last_login: now }).where('id', '=', userId).execute();
}

export async function updatePasswordHash(db: Db, userId: number, passwordHash: string): Promise<void> {
  await db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).execute();
}
