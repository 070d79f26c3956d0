import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import type { UserField, ValuePattern } from '../../protocol/issue-query.js';
import type { RegionSchema } from '../schema.js';
import { USER_FIELD_COLUMN } from './event-users.js';

// The comparisons a search term becomes, shared by the issue search and the event filters.

type Condition = Expression<SqlBool>;

/** Exact values compare as they are; wildcard patterns ignore case, as Sentry's do. */
export function valuesMatch<DB, TB extends keyof DB>(
  eb: ExpressionBuilder<DB, TB>,
  ref: Expression<string | null>,
  values: readonly ValuePattern[],
): Condition {
  const exact = values.flatMap((v) => (v.kind === 'exact' ? [v.value] : []));
  const conditions: Condition[] = [];
  if (exact.length > 0) conditions.push(eb(ref, 'in', exact));
  for (const v of values) {
    if (v.kind === 'wildcard') conditions.push(like(ref, v.parts.map(escapeLike).join('%')));
  }
  return eb.or(conditions);
}

/** A case-insensitive substring test. */
export function contains(ref: Expression<string>, text: string): Condition {
  return like(ref, `%${escapeLike(text)}%`);
}

// SQLite's LIKE has no escape character unless told, PostgreSQL's is `\`: say it for both. lower()
// on both sides makes it case-insensitive on both (SQLite folds ASCII only, PostgreSQL all letters).
export function like(ref: Expression<string | null>, pattern: string): Condition {
  return sql<SqlBool>`lower(${ref}) like lower(${pattern}) escape '\\'`;
}

export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function never(): Condition {
  return sql<SqlBool>`1 = 0`;
}

/** The key prefix digest gives a user key made of this field (event-tags.ts `userKey`). */
const KEY_PREFIX: Record<UserField, string> = {
  id: 'id:',
  email: 'email:',
  username: 'username:',
  ip: 'ip:',
};

/**
 * Whether a user key (`id:1001`, `email:a@b.c`, …) names a user with one of these values of a
 * field: the key is made of that field, or the project's event_users row of the key holds it
 * (a user keyed by id whose email is searched).
 */
export function userKeysMatch<DB extends RegionSchema, TB extends keyof DB>(
  eb: ExpressionBuilder<DB, TB>,
  key: Expression<string | null>,
  field: UserField,
  values: readonly ValuePattern[],
  projectIds: readonly number[],
): Condition {
  const prefix = KEY_PREFIX[field];
  const keyed: ValuePattern[] = values.map((v) =>
    v.kind === 'exact'
      ? { kind: 'exact', value: `${prefix}${v.value}` }
      : { kind: 'wildcard', parts: [`${prefix}${v.parts[0] ?? ''}`, ...v.parts.slice(1)] },
  );
  const column = USER_FIELD_COLUMN[field];
  const e = eb as unknown as ExpressionBuilder<RegionSchema, 'event_users'>;
  const described = e
    .selectFrom('event_users as u')
    .select('u.user_key')
    .where('u.project_id', 'in', projectIds.length > 0 ? [...projectIds] : [-1])
    .where(`u.${column}`, 'is not', null)
    .where((w) => valuesMatch(w, w.ref(`u.${column}`), values));
  return eb.and([
    eb(key, 'is not', null),
    eb.or([valuesMatch(eb, key, keyed), eb(key, 'in', described as never)]),
  ]);
}
