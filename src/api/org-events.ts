import { badRequest } from '../lib/app-error.js';
import { MAX_QUERY_TERMS, parseTimeWindow, tokenize } from '../protocol/issue-query.js';
import { queriedProjects } from './access.js';
import { type Column, queryDataset, readColumn } from './dataset-query.js';
import type { EventDataset } from './event-datasets.js';
import { LOGS_DATASET } from './logs-dataset.js';
import { parsePage, setLinkHeader } from './pagination.js';
import { queryValues as all, queryValue as one, parsing } from './params.js';
import { PERMISSIONS } from './permissions.js';
import type { ApiCall, ApiRoute } from './route.js';
import { SPANS_DATASET } from './spans-dataset.js';
import { TRANSACTIONS_DATASET } from './transactions-dataset.js';

// Sentry's Explore and Discover query, `GET /organizations/:org/events/?dataset=…&field=…&query=…&sort=…`:
// a table of rows from one dataset. This file reads the parameters; each dataset (an
// EventDataset, event-datasets.ts) says which fields it has, and dataset-query.ts, shared by all
// of them, reads functions and search terms and finds the rows.

/** Sentry's bounds: at most 20 fields a request, and 14 days when no range is given. */
const MAX_FIELDS = 20;
const DEFAULT_PERIOD = '14d';

/** A dataset whose references only it reads: past the table, no one looks inside them. */
function opaque<Ref>(dataset: EventDataset<Ref>): EventDataset<unknown> {
  return dataset as unknown as EventDataset<unknown>;
}

/**
 * The datasets Errata answers, by the names Sentry's clients send: `spans`, `transactions`
 * (Discover's), `logs` (the API's and sentry-cli's) and `ourlogs` (Sentry's web app). Others get a
 * 400 naming these.
 */
export const EVENT_DATASETS: Readonly<Record<string, EventDataset<unknown>>> = Object.freeze({
  spans: opaque(SPANS_DATASET),
  transactions: opaque(TRANSACTIONS_DATASET),
  logs: opaque(LOGS_DATASET),
  ourlogs: opaque(LOGS_DATASET),
});

function datasetOf(call: ApiCall): EventDataset<unknown> {
  const name = one(call.query.dataset);
  const known = Object.keys(EVENT_DATASETS).join(', ');
  if (!name) throw badRequest(`A dataset is required; Errata answers ${known}.`);
  if (!Object.hasOwn(EVENT_DATASETS, name)) {
    throw badRequest(`Unsupported dataset: "${name}". Errata answers ${known}.`);
  }
  return EVENT_DATASETS[name] as EventDataset<unknown>;
}

/** The asked fields, each a field of the dataset or a function it has (`count()`, `p95()`). */
function readColumns(call: ApiCall, dataset: EventDataset<unknown>): Column<unknown>[] {
  const fields = [...new Set(all(call.query.field))];
  if (fields.length === 0) throw badRequest('No columns selected');
  if (fields.length > MAX_FIELDS) throw badRequest(`You can view up to ${MAX_FIELDS} fields at a time.`);
  return fields.map((field) => readColumn(dataset, field));
}

/**
 * The asked order, each one a selected field or function. Listed rows default to the dataset's
 * order when its field is selected; grouped rows to the order of their fields.
 */
function readSort(call: ApiCall, dataset: EventDataset<unknown>, columns: readonly Column<unknown>[]) {
  const fields = columns.map((c) => c.field);
  const grouped = columns.some((c) => c.item.kind === 'aggregate');
  const sorts = all(call.query.sort).filter((s) => s !== '');
  if (sorts.length === 0) {
    return !grouped && fields.includes(dataset.defaultSort.field) ? [dataset.defaultSort] : [];
  }
  return sorts.map((text) => {
    const field = text.replace(/^-/, '');
    if (!fields.includes(field)) {
      throw badRequest(
        `Cannot sort by "${field}": sort must be one of the selected fields (${fields.join(', ')}).`,
      );
    }
    return { field, descending: text.startsWith('-') };
  });
}

/** `statsPeriod`, or `start` and `end`; `defaultPeriod` up to now when none is given. */
export function readTimeRange(call: ApiCall, defaultPeriod = DEFAULT_PERIOD): { start: number; end: number } {
  const q = call.query;
  const asked = one(q.statsPeriod) || one(q.start) || one(q.end);
  const range = parsing(() =>
    parseTimeWindow(
      asked
        ? { statsPeriod: one(q.statsPeriod), start: one(q.start), end: one(q.end) }
        : { statsPeriod: defaultPeriod },
      call.ctx.now(),
    ),
  );
  return range as { start: number; end: number };
}

function readTerms(call: ApiCall) {
  const terms = parsing(() => tokenize(one(call.query.query) ?? ''));
  if (terms.reduce((n, t) => n + Math.max(1, t.values.length), 0) > MAX_QUERY_TERMS) {
    throw badRequest(`Too many search terms; at most ${MAX_QUERY_TERMS} are allowed.`);
  }
  return terms.filter((t) => !(t.key === null && t.values[0]?.text === 'AND'));
}

/**
 * `GET /organizations/:org/events/?dataset=spans&field=transaction&field=p95()&query=…`:
 * `{data: [{field: value}], meta: {fields: {field: type}, units: {field: unit}, dataset}}`, paged
 * with `per_page` and Sentry's offset cursor, in the projects the caller reaches (or those
 * `project` names). With a function among the fields, each row is a group of the other fields.
 */
async function organizationEvents(call: ApiCall) {
  const projects = await queriedProjects(call, PERMISSIONS.orgEvents);
  const dataset = datasetOf(call);
  const columns = readColumns(call, dataset);
  const sort = readSort(call, dataset, columns);
  const range = readTimeRange(call);
  const terms = readTerms(call);
  const page = parsePage(call.query as Record<string, unknown>);
  const rows = await queryDataset(call.ctx.db.region, call.ctx.db.engine, dataset, {
    projects,
    ...range,
    now: call.ctx.now(),
    columns,
    sort,
    terms,
    environments: all(call.query.environment).filter((e) => e !== ''),
    limit: page.limit + 1,
    offset: page.offset,
  });
  const hasNext = rows.length > page.limit;
  setLinkHeader(call.reply, call.request, call.ctx.config.url, page, hasNext);
  return {
    data: hasNext ? rows.slice(0, page.limit) : rows,
    meta: {
      fields: Object.fromEntries(columns.map((c) => [c.field, c.type])),
      units: Object.fromEntries(columns.map((c) => [c.field, c.type === 'duration' ? 'millisecond' : null])),
      dataset: dataset.name,
      isMetricsData: false,
      tips: {},
    },
  };
}

export const orgEventRoutes: ApiRoute[] = [
  {
    method: 'GET',
    url: '/organizations/:org/events/',
    auth: PERMISSIONS.orgEvents,
    handler: organizationEvents,
  },
];
