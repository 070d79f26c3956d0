import { badRequest, notFound } from '../lib/app-error.js';
import { findLogByItemId, type LogAttribute } from '../store/region/logs.js';
import { projectEndpoint } from './access.js';
import { queryValue as one } from './params.js';
import { PERMISSIONS } from './permissions.js';
import type { ApiCall, ApiRoute } from './route.js';

// One trace item with every attribute, as Sentry's web app reads a log it opens:
// `GET /projects/:org/:project/trace-items/:item/?item_type=logs`.

const ITEM_ID = /^[0-9a-f]{32}$/;

/** Sentry's attribute types, from those the SDKs send. */
const TYPES: Readonly<Record<string, string>> = {
  string: 'str',
  integer: 'int',
  double: 'float',
  boolean: 'bool',
};

function typeOf(attribute: LogAttribute): string {
  const sent = attribute.type === undefined ? undefined : TYPES[attribute.type];
  if (sent) return sent;
  const v = attribute.value;
  return typeof v === 'boolean'
    ? 'bool'
    : typeof v === 'number'
      ? Number.isInteger(v)
        ? 'int'
        : 'float'
      : 'str';
}

/**
 * `{itemId, timestamp, attributes: [{name, type, value}], meta, links}`: the log's attributes
 * sorted by name, with its level, body, trace and span ids among them under Sentry's names.
 */
async function getTraceItem(call: ApiCall) {
  const access = await projectEndpoint(call, PERMISSIONS.projectEvents);
  const itemType = one(call.query.item_type);
  if (itemType !== 'logs')
    throw badRequest(`Unsupported item_type: "${itemType ?? ''}". Errata answers logs.`);
  const itemId = (call.params.item as string).toLowerCase();
  if (!ITEM_ID.test(itemId)) throw notFound();
  const log = await findLogByItemId(call.ctx.db.region, access.project.id, itemId);
  if (!log) throw notFound();
  const own: [string, LogAttribute][] = [
    ['message', { value: log.body, type: 'string' }],
    ['severity', { value: log.level, type: 'string' }],
    ['severity_number', { value: log.severityNumber, type: 'integer' }],
    ['trace', { value: log.traceId, type: 'string' }],
    ...(log.spanId ? ([['span_id', { value: log.spanId, type: 'string' }]] as [string, LogAttribute][]) : []),
  ];
  const attributes = [...own, ...Object.entries(log.attributes)]
    .map(([name, attribute]) => ({ name, type: typeOf(attribute), value: attribute.value }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    itemId: log.itemId,
    timestamp: new Date(Math.floor(log.timestamp)).toISOString(),
    attributes,
    meta: {},
    links: null,
  };
}

export const traceItemRoutes: ApiRoute[] = [
  {
    method: 'GET',
    url: '/projects/:org/:project/trace-items/:item/',
    auth: PERMISSIONS.projectEvents,
    handler: getTraceItem,
  },
];
