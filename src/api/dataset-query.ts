import type { Kysely } from 'kysely';
import { badRequest } from '../lib/app-error.js';
import {
  ARITY,
  type ArgumentKind,
  EVENT_FUNCTIONS,
  NOT_FAILED_STATUSES,
  parseFunctionCall,
} from '../protocol/event-functions.js';
import { parseNumberFilter } from '../protocol/field-filter.js';
import { dateRange, pattern, type Token, type ValuePattern } from '../protocol/issue-query.js';
import type { Engine } from '../store/db.js';
import {
  type Aggregate,
  type ItemColumn,
  type ItemCondition,
  type ItemSort,
  queryItems,
} from '../store/region/item-query.js';
import type { RegionSchema } from '../store/schema.js';
import type { Project } from '../store/types.js';
import type { DatasetField, EventDataset, FieldType } from './event-datasets.js';
import { parsing } from './params.js';

// What every dataset of the events endpoint shares: fields that are functions (`count()`,
// `p95(span.duration)`), search terms turned into conditions, grouping by the plain fields when
// any function is asked for, and rows shaped as Sentry answers them.

/** One asked field, plain or a function, read against a dataset. */
export interface Column<Ref> {
  /** As asked, which is also its key in each row. */
  readonly field: string;
  readonly type: FieldType;
  readonly item: ItemColumn<Ref>;
  /** What a listed row sorts on, when not the column itself. */
  readonly sortRef?: Ref;
  show(raw: unknown, projects: ReadonlyMap<number, Project>): unknown;
}

const NUMERIC: readonly FieldType[] = ['integer', 'number', 'duration', 'percentage'];

const iso = (ms: unknown) => (typeof ms === 'number' ? new Date(Math.floor(ms)).toISOString() : null);
const asNumber = (raw: unknown) => (raw === null || raw === undefined ? null : Number(raw));

function functionNames(dataset: EventDataset<unknown>): string {
  return [...EVENT_FUNCTIONS.keys()]
    .filter((name) => name !== 'failure_rate' || dataset.status !== undefined)
    .map((name) => `${name}()`)
    .join(', ');
}

function argumentField<Ref>(dataset: EventDataset<Ref>, call: string, name: string): DatasetField<Ref> {
  const field = dataset.field(name);
  if (field === undefined) {
    throw badRequest(`Unknown field: "${name}" in ${call} is not a field of the ${dataset.name} dataset.`);
  }
  return field;
}

const ARGUMENT_SHAPES: Readonly<Record<ArgumentKind, string>> = {
  none: 'no argument',
  'optional-field': 'one field or none',
  field: 'one field',
  numeric: 'one numeric field',
  ordered: 'one numeric or date field',
  'numeric-quantile': 'a numeric field and a quantile',
};

/** How a number a function returns is shown: dates as ISO text, numbers in the field's unit. */
function shownNumber(type: FieldType, scale: number) {
  if (type === 'date') return iso;
  return (raw: unknown) => (raw === null || raw === undefined ? null : Number(raw) * scale);
}

/** A function field: its arguments checked against what the function reads. */
function functionColumn<Ref>(dataset: EventDataset<Ref>, field: string): Column<Ref> | undefined {
  const call = parseFunctionCall(field);
  if (call === undefined) return undefined;
  const spec = EVENT_FUNCTIONS.get(call.name);
  if (spec === undefined || (call.name === 'failure_rate' && dataset.status === undefined)) {
    throw badRequest(
      `Unknown function: ${field}. The ${dataset.name} dataset has ${functionNames(dataset)}.`,
    );
  }
  const fallback = dataset.defaultArguments?.[call.name];
  const args = call.args.length === 0 && fallback !== undefined ? [fallback] : call.args;
  if (!ARITY[spec.argument].includes(args.length)) {
    throw badRequest(
      `Invalid function: ${field} takes ${ARGUMENT_SHAPES[spec.argument]}${args.length === 0 ? `, and the ${dataset.name} dataset has no default for it` : ''}.`,
    );
  }
  const column = (
    type: FieldType,
    aggregate: Aggregate<Ref>,
    show: (raw: unknown) => unknown = asNumber,
  ): Column<Ref> => ({
    field,
    type,
    item: { kind: 'aggregate', aggregate },
    show,
  });
  if (spec.argument === 'none') {
    return column('percentage', {
      fn: 'share_outside',
      ref: dataset.status as Ref,
      values: NOT_FAILED_STATUSES,
    });
  }
  if (args.length === 0) return column('integer', { fn: 'count' });

  const arg = argumentField(dataset, field, args[0] as string);
  const { ref } = arg;
  if (spec.argument === 'optional-field') return column('integer', { fn: 'count_of', ref });
  if (spec.argument === 'field') return column('integer', { fn: 'count_unique', ref });

  const allowed: readonly FieldType[] = spec.argument === 'ordered' ? [...NUMERIC, 'date'] : NUMERIC;
  if (!allowed.includes(arg.type)) {
    throw badRequest(
      `Invalid argument: ${field} needs ${ARGUMENT_SHAPES[spec.argument]}, and "${args[0]}" is a ${arg.type} field.`,
    );
  }
  const scale = arg.scale ?? 1;
  if (spec.argument === 'numeric-quantile' || spec.quantile !== undefined) {
    const text = args[1];
    if (text !== undefined && !/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/.test(text)) {
      throw badRequest(
        `Invalid argument: ${field} needs a quantile from 0 to 1, e.g. percentile(${args[0]}, 0.95).`,
      );
    }
    const quantile = spec.quantile ?? Number(text);
    const type = arg.type === 'duration' ? 'duration' : 'number';
    return column(type, { fn: 'percentile', ref, quantile }, shownNumber(type, scale));
  }
  const fn = call.name as 'avg' | 'sum' | 'min' | 'max';
  const type = fn === 'avg' && arg.type !== 'duration' ? 'number' : arg.type;
  return column(type, { fn, ref }, shownNumber(type, scale));
}

/**
 * The column a field asks for, or a 400: an unknown field or function, or a function given an
 * argument it cannot read (`p95(message)`).
 */
export function readColumn<Ref>(dataset: EventDataset<Ref>, field: string): Column<Ref> {
  const fn = functionColumn(dataset, field);
  if (fn) return fn;
  const known = dataset.field(field);
  if (known === undefined) {
    throw badRequest(`Unknown field: "${field}" is not a field of the ${dataset.name} dataset.`);
  }
  const scale = known.scale ?? 1;
  const show =
    known.show ??
    (known.type === 'date'
      ? iso
      : scale !== 1
        ? (raw: unknown) => (raw === null ? null : Math.round(Number(raw) * scale))
        : (raw: unknown) => raw);
  return {
    field,
    type: known.type,
    item: { kind: 'field', ref: known.ref },
    ...(known.sortRef === undefined ? {} : { sortRef: known.sortRef }),
    show,
  };
}

function oneValue(term: Token): string {
  if (term.list || term.values.length !== 1) {
    throw badRequest(`Invalid query: "${term.key}" takes one value, not a list.`);
  }
  return (term.values[0] as { text: string }).text;
}

function valueCondition<Ref>(
  dataset: EventDataset<Ref>,
  term: Token & { key: string },
  projects: readonly Project[],
  now: number,
): ItemCondition<Ref> {
  const field = dataset.field(term.key);
  if (field === undefined) {
    throw badRequest(`Invalid query: "${term.key}" is not a field of the ${dataset.name} dataset.`);
  }
  const { ref } = field;
  const negated = term.negated;
  switch (field.type) {
    case 'string': {
      const values = term.values.map(pattern);
      return { kind: 'match', ref, negated, values: field.stored?.(values, projects) ?? values };
    }
    case 'boolean': {
      const text = oneValue(term).toLowerCase();
      if (!['true', 'false', '1', '0'].includes(text)) {
        throw badRequest(`Invalid query: "${term.key}" is true or false, not "${text}".`);
      }
      const value = text === 'true' || text === '1' ? 1 : 0;
      const bound = { value, inclusive: true };
      return { kind: 'range', ref, negated, lower: bound, upper: bound };
    }
    case 'date': {
      const bounds = parsing(() => dateRange(term.key, oneValue(term), now));
      return {
        kind: 'range',
        ref,
        negated,
        ...(bounds.min === null ? {} : { lower: { value: bounds.min, inclusive: true } }),
        ...(bounds.max === null ? {} : { upper: { value: bounds.max, inclusive: false } }),
      };
    }
    default: {
      const kind = field.type === 'duration' ? 'duration' : 'number';
      const filter = parsing(() => parseNumberFilter(term.key, oneValue(term), kind));
      const bound = {
        value: filter.value / (field.scale ?? 1),
        inclusive: filter.operator !== '>' && filter.operator !== '<',
      };
      const op = filter.operator;
      return {
        kind: 'range',
        ref,
        negated,
        ...(op === '<' || op === '<=' ? {} : { lower: bound }),
        ...(op === '>' || op === '>=' ? {} : { upper: bound }),
      };
    }
  }
}

/** The conditions a query's terms make; a term the dataset cannot read is a 400. */
export function termConditions<Ref>(
  dataset: EventDataset<Ref>,
  terms: readonly Token[],
  projects: readonly Project[],
  now: number,
): ItemCondition<Ref>[] {
  return terms.map((term): ItemCondition<Ref> => {
    const [first] = term.values;
    if (term.key === null) {
      const text = first?.text ?? '';
      // Sentry's boolean search; read as text it would quietly search for the word "OR".
      if (!first?.quoted && (text === 'OR' || text.startsWith('(') || text.endsWith(')'))) {
        throw badRequest('Invalid query: OR and parentheses are not supported here; all terms must match.');
      }
      if (!first?.quoted && /^!?[A-Za-z_][\w.]*\(.*\):/.test(text)) {
        throw badRequest(`Invalid query: filters on functions (${text}) are not supported here.`);
      }
      return { kind: 'text', ref: dataset.text, text };
    }
    if (term.key === 'has') {
      const field = first === undefined || term.list ? undefined : dataset.field(first.text);
      if (field === undefined) throw badRequest('Invalid query: has: needs one field name.');
      return { kind: 'has', ref: field.ref, negated: term.negated };
    }
    return valueCondition(dataset, term as Token & { key: string }, projects, now);
  });
}

/** One request to a dataset, its parameters already read and checked by the events endpoint. */
export interface DatasetRequest {
  /** The projects to read, each one the caller reaches; never empty. */
  readonly projects: readonly Project[];
  /** Epoch ms, inclusive. */
  readonly start: number;
  readonly end: number;
  readonly now: number;
  readonly columns: readonly Column<unknown>[];
  /** Each sort field is one of the columns' fields. */
  readonly sort: readonly { readonly field: string; readonly descending: boolean }[];
  readonly terms: readonly Token[];
  /** The `environment` parameters; none means every environment. */
  readonly environments: readonly string[];
  readonly limit: number;
  readonly offset: number;
}

/**
 * One page of the dataset's rows, each keyed by the asked fields: its items, or with any
 * function among the fields, its groups of items by the other fields.
 */
export async function queryDataset<Ref>(
  db: Kysely<RegionSchema>,
  engine: Engine,
  dataset: EventDataset<Ref>,
  request: DatasetRequest,
): Promise<Record<string, unknown>[]> {
  const columns = request.columns as readonly Column<Ref>[];
  const conditions = [
    ...(dataset.base ?? []),
    ...termConditions(dataset, request.terms, request.projects, request.now),
  ];
  const environment = dataset.field('environment');
  if (request.environments.length > 0 && environment !== undefined) {
    const values = request.environments.map((value): ValuePattern => ({ kind: 'exact', value }));
    conditions.push({ kind: 'match', ref: environment.ref, negated: false, values });
  }
  const grouped = columns.some((c) => c.item.kind === 'aggregate');
  const sort = request.sort.map((s): ItemSort<Ref> => {
    const index = columns.findIndex((c) => c.field === s.field);
    const column = columns[index] as Column<Ref>;
    if (grouped || column.item.kind === 'aggregate') return { column: index, descending: s.descending };
    return { ref: column.sortRef ?? column.item.ref, descending: s.descending };
  });
  const rows = await queryItems(db, engine, dataset.source, {
    projectIds: request.projects.map((p) => p.id),
    start: request.start,
    end: request.end,
    conditions,
    columns: columns.map((c) => c.item),
    sort,
    limit: request.limit,
    offset: request.offset,
  });
  const projects = new Map(request.projects.map((p) => [p.id, p]));
  return rows.map((row) =>
    Object.fromEntries(columns.map((c, i) => [c.field, c.show(row[`c${i}`], projects)])),
  );
}
