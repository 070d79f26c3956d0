import type { Kysely } from 'kysely';
import type { Token } from '../protocol/issue-query.js';
import type { Engine } from '../store/db.js';
import type { RegionSchema } from '../store/schema.js';
import type { Project } from '../store/types.js';

/** The type `meta.fields` gives a column, in Sentry's words. */
export type FieldType = 'string' | 'date' | 'integer' | 'number' | 'boolean';

/** One request to a dataset, its parameters already read and checked by the events endpoint. */
export interface DatasetQuery {
  /** The projects to read, each one the caller reaches; never empty. */
  readonly projects: readonly Project[];
  /** Epoch ms, inclusive. */
  readonly start: number;
  readonly end: number;
  /** Fields as asked for, each one the dataset knows ({@link EventDataset.fieldType}). */
  readonly fields: readonly string[];
  /** Each sort field is one of `fields`. */
  readonly sort: readonly { readonly field: string; readonly descending: boolean }[];
  /** The search query's terms (free text has a null key). */
  readonly terms: readonly Token[];
  /** The `environment` parameters; none means every environment. */
  readonly environments: readonly string[];
  readonly limit: number;
  readonly offset: number;
}

/**
 * One dataset of `GET /organizations/:org/events/`: which fields it returns and how it finds rows.
 * The endpoint checks the parameters every dataset shares (fields known, sort among the fields,
 * time range, paging); the dataset reads its own query terms and throws a 400 for one it cannot
 * filter on.
 */
export interface EventDataset {
  /** The name `meta.dataset` answers with. */
  readonly name: string;
  /** The type of a field, or undefined when the dataset has no such field. */
  fieldType(field: string): FieldType | undefined;
  /** Whether rows can be ordered by this field. */
  sortable(field: string): boolean;
  /** The default order when the request gives no `sort`. */
  readonly defaultSort: { readonly field: string; readonly descending: boolean };
  /** One page of rows, each keyed by the asked fields. */
  rows(db: Kysely<RegionSchema>, engine: Engine, query: DatasetQuery): Promise<Record<string, unknown>[]>;
}
