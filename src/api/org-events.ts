import { badRequest } from '../lib/app-error.js';
import { MAX_QUERY_TERMS, parseTimeWindow, tokenize } from '../protocol/issue-query.js';
import { queriedProjects } from './access.js';
import type { DatasetQuery, EventDataset } from './event-datasets.js';
import { LOGS_DATASET } from './logs-dataset.js';
import { parsePage, setLinkHeader } from './pagination.js';
import { queryValues as all, queryValue as one, parsing } from './params.js';
import { PERMISSIONS } from './permissions.js';
import type { ApiCall, ApiRoute } from './route.js';

// Sentry's Explore query, `GET /organizations/:org/events/?dataset=…&field=…&query=…&sort=…`:
// a table of rows from one dataset. This file reads what every dataset shares; each dataset
// (an EventDataset, event-datasets.ts) says which fields it has and finds its rows.

/** Sentry's bounds: at most 20 fields a request, and 14 days when no range is given. */
const MAX_FIELDS = 20;
const DEFAULT_PERIOD = '14d';
const FUNCTION = /^([\w.]+)\((.*)\)$/;

/**
 * The datasets Errata answers, by the names Sentry's clients send: `logs` (the API's and
 * sentry-cli's) and `ourlogs` (Sentry's web app). Others get a 400 naming these.
 */
export const EVENT_DATASETS: Readonly<Record<string, EventDataset>> = Object.freeze({
  logs: LOGS_DATASET,
  ourlogs: LOGS_DATASET,
});

function datasetOf(call: ApiCall): EventDataset {
  const name = one(call.query.dataset);
  const known = Object.keys(EVENT_DATASETS).join(', ');
  if (!name) throw badRequest(`A dataset is required; Errata answers ${known}.`);
  if (!Object.hasOwn(EVENT_DATASETS, name)) {
    throw badRequest(`Unsupported dataset: "${name}". Errata answers ${known}.`);
  }
  return EVENT_DATASETS[name] as EventDataset;
}

function readFields(call: ApiCall, dataset: EventDataset): string[] {
  const fields = [...new Set(all(call.query.field))];
  if (fields.length === 0) throw badRequest('No columns selected');
  if (fields.length > MAX_FIELDS) throw badRequest(`You can view up to ${MAX_FIELDS} fields at a time.`);
  for (const field of fields) {
    const fn = FUNCTION.exec(field);
    if (fn)
      throw badRequest(
        `Unknown function: ${field}. The ${dataset.name} dataset lists rows; it has no functions.`,
      );
    if (dataset.fieldType(field) === undefined) {
      throw badRequest(`Unknown field: "${field}" is not a field of the ${dataset.name} dataset.`);
    }
  }
  return fields;
}

function readSort(call: ApiCall, dataset: EventDataset, fields: readonly string[]): DatasetQuery['sort'] {
  const sorts = all(call.query.sort).filter((s) => s !== '');
  if (sorts.length === 0) {
    return fields.includes(dataset.defaultSort.field) ? [dataset.defaultSort] : [];
  }
  return sorts.map((text) => {
    const field = text.replace(/^-/, '');
    if (!fields.includes(field)) {
      throw badRequest(
        `Cannot sort by "${field}": sort must be one of the selected fields (${fields.join(', ')}).`,
      );
    }
    if (!dataset.sortable(field)) throw badRequest(`Cannot sort by "${field}".`);
    return { field, descending: text.startsWith('-') };
  });
}

function readTimeRange(call: ApiCall): { start: number; end: number } {
  const q = call.query;
  const asked = one(q.statsPeriod) || one(q.start) || one(q.end);
  const range = parsing(() =>
    parseTimeWindow(
      asked
        ? { statsPeriod: one(q.statsPeriod), start: one(q.start), end: one(q.end) }
        : { statsPeriod: DEFAULT_PERIOD },
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
 * `GET /organizations/:org/events/?dataset=logs&field=timestamp&field=message&query=…`:
 * `{data: [{field: value}], meta: {fields: {field: type}, units: {field: null}, dataset}}`, paged
 * with `per_page` and Sentry's offset cursor, in the projects the caller reaches (or those
 * `project` names).
 */
async function organizationEvents(call: ApiCall) {
  const projects = await queriedProjects(call, PERMISSIONS.orgEvents);
  const dataset = datasetOf(call);
  const fields = readFields(call, dataset);
  const sort = readSort(call, dataset, fields);
  const range = readTimeRange(call);
  const terms = readTerms(call);
  const page = parsePage(call.query as Record<string, unknown>);
  const rows = await dataset.rows(call.ctx.db.region, call.ctx.db.engine, {
    projects,
    ...range,
    fields,
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
      fields: Object.fromEntries(fields.map((f) => [f, dataset.fieldType(f)])),
      units: Object.fromEntries(fields.map((f) => [f, null])),
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
