import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import type { IssueQueryTerm } from '../../protocol/issue-query.js';
import type { Engine } from '../db.js';
import type { RegionSchema } from '../schema.js';
import { contains, never, userKeysMatch, valuesMatch } from './sql-match.js';

type Eb = ExpressionBuilder<RegionSchema, 'events'>;
type Condition = Expression<SqlBool>;

/** A search term that a single event can match: tags, level, release, user and text. */
export type EventTerm = Extract<
  IssueQueryTerm,
  { kind: 'level' | 'release' | 'tag' | 'has' | 'user' | 'text' }
>;

/**
 * Whether a term says something about each event rather than about the issue (its status,
 * assignee, first sighting…). `release:latest` is the issue search's: it needs the releases.
 */
export function isEventTerm(term: IssueQueryTerm): term is EventTerm {
  switch (term.kind) {
    case 'level':
    case 'tag':
    case 'has':
    case 'user':
    case 'text':
      return true;
    case 'release':
      return term.values.every((v) => v.kind !== 'latest');
    default:
      return false;
  }
}

/** Which events count: a time window (epoch ms, inclusive), environments, and event terms. */
export interface EventScope {
  /** The projects searched, for the users `user.<field>:` names. */
  readonly projectIds: readonly number[];
  readonly window?: { readonly start: number; readonly end: number } | undefined;
  readonly environments?: readonly string[] | undefined;
  readonly terms?: readonly EventTerm[] | undefined;
}

/** The SQL condition on `events` that an event scope stands for; true for an empty one. */
export function eventScope(eb: Eb, engine: Engine, scope: EventScope): Condition {
  const conditions: Condition[] = [];
  if (scope.window) {
    conditions.push(
      eb('events.timestamp', '>=', scope.window.start),
      eb('events.timestamp', '<=', scope.window.end),
    );
  }
  if (scope.environments && scope.environments.length > 0) {
    conditions.push(eb('events.environment', 'in', [...scope.environments]));
  }
  for (const term of scope.terms ?? []) {
    const condition = eventTerm(eb, engine, term, scope.projectIds);
    conditions.push('negated' in term && term.negated ? eb.not(condition) : condition);
  }
  return eb.and(conditions);
}

// Like the issue search's, every condition is true or false, never NULL, so `!` is its complement.
function eventTerm(eb: Eb, engine: Engine, term: EventTerm, projectIds: readonly number[]): Condition {
  switch (term.kind) {
    case 'level':
      return valuesMatch(eb, eb.ref('events.level'), term.values);
    case 'release': {
      const values = term.values.flatMap((v) => (v.kind === 'latest' ? [] : [v]));
      if (values.length === 0) return never();
      return eb.and([
        eb('events.release', 'is not', null),
        valuesMatch(eb, eb.ref('events.release'), values),
      ]);
    }
    case 'tag':
      if (term.key === 'environment') {
        return eb.and([
          eb('events.environment', 'is not', null),
          valuesMatch(eb, eb.ref('events.environment'), term.values),
        ]);
      }
      return tagged(eb, engine, term.key, (value) => valuesMatch(eb, value, term.values));
    case 'has':
      return tagged(eb, engine, term.key, null);
    case 'user':
      return userKeysMatch(eb, eb.ref('events.user_key'), term.field, term.values, projectIds);
    case 'text':
      return eb.or([
        contains(eb.ref('events.message'), term.text),
        contains(eb.ref('events.title'), term.text),
      ]);
  }
}

/**
 * Whether the event's tags (a JSON list of `[key, value]` pairs) hold the key, with a value that
 * passes `test` when one is given. Each engine walks the list with its own JSON function.
 */
function tagged(
  eb: Eb,
  engine: Engine,
  key: string,
  test: ((value: Expression<string>) => Condition) | null,
): Condition {
  const pairs =
    engine === 'postgres'
      ? sql`jsonb_array_elements(cast(${eb.ref('events.tags')} as jsonb)) as j(value)`
      : sql`json_each(${eb.ref('events.tags')}) as j`;
  const value = sql<string>`(j.value ->> 1)`;
  const valueTest = test ? sql`and ${test(value)}` : sql``;
  return sql<SqlBool>`exists (select 1 from ${pairs} where (j.value ->> 0) = ${key} ${valueTest})`;
}
