import type { ValuePattern } from '../protocol/issue-query.js';
import type { ItemCondition, ItemSource } from '../store/region/item-query.js';
import type { Project } from '../store/types.js';

/** The type `meta.fields` gives a column, in Sentry's words. */
export type FieldType = 'string' | 'date' | 'integer' | 'number' | 'duration' | 'percentage' | 'boolean';

/** One field of a dataset: what it reads in the store, and how a row shows it. */
export interface DatasetField<Ref> {
  readonly type: FieldType;
  /** What the field filters, groups, sorts and aggregates on. */
  readonly ref: Ref;
  /** What it sorts on when listed, when not `ref`: levels in order of severity, not of name. */
  readonly sortRef?: Ref;
  /** The values of a term as the store holds them (ids in lowercase, a project slug as its id). */
  readonly stored?: (values: readonly ValuePattern[], projects: readonly Project[]) => ValuePattern[];
  /** What a row shows from what the store holds; the value as it is when missing. */
  readonly show?: (raw: unknown, projects: ReadonlyMap<number, Project>) => unknown;
  /** Shown units per stored unit, for numbers shown in another unit than stored (ns of a ms column). */
  readonly scale?: number;
}

/**
 * One dataset of `GET /organizations/:org/events/`: its fields and the table they read. The
 * events endpoint and the shared query layer (dataset-query.ts) do the rest: functions, search
 * terms, grouping, sorting, paging and the shape of the answer are the same for every dataset.
 */
export interface EventDataset<Ref = unknown> {
  /** The name `meta.dataset` answers with. */
  readonly name: string;
  readonly source: ItemSource<Ref>;
  /** A field by name, or undefined when the dataset has no such field. */
  field(name: string): DatasetField<Ref> | undefined;
  /** The default order of listed rows when the request gives no `sort`. */
  readonly defaultSort: { readonly field: string; readonly descending: boolean };
  /** What free text in the query searches. */
  readonly text: Ref;
  /** What every row of the dataset meets (the transactions dataset: roots of segments only). */
  readonly base?: readonly ItemCondition<Ref>[];
  /** The field a function reads when called without one (`p95()`), by function name. */
  readonly defaultArguments?: Readonly<Record<string, string>>;
  /** The status `failure_rate()` reads; a dataset without one has no such function. */
  readonly status?: Ref;
}
