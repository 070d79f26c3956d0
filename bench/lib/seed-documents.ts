import type { Insertable } from 'kysely';
import type { EventTable, IssueTable } from '../../src/store/schema.js';

/** What the seeded store's issue `index` looks like: a 20-frame error of one of a few shapes. */
export interface SeedIssue {
  readonly index: number;
  readonly title: string;
  readonly culprit: string;
  readonly type: string;
  readonly value: string;
  readonly level: string;
  readonly platform: 'node' | 'python';
  readonly status: 'unresolved' | 'resolved' | 'ignored';
  readonly release: string;
}

const TYPES = ['TypeError', 'ValueError', 'KeyError', 'RangeError', 'ConnectionError', 'TimeoutError'];
const LEVELS = ['error', 'error', 'error', 'error', 'error', 'error', 'error', 'error', 'warning', 'fatal'];
export const RELEASES = ['shop-api@3.14.0', 'shop-api@3.14.1', 'shop-api@3.14.2'];
export const SERVERS = ['api-7f9c', 'api-2b1d', 'api-c30e', 'api-91aa'];

export function seedIssue(index: number): SeedIssue {
  const type = TYPES[index % TYPES.length] as string;
  const value = `handler${index}: cannot apply tax rule to order`;
  // 70% unresolved, 20% resolved, 10% ignored, spread evenly over the list.
  const bucket = (index * 7) % 10;
  return {
    index,
    title: `${type}: ${value}`,
    culprit: `handler${index}_step20(shop/orders/handler${index}.js)`,
    type,
    value,
    level: LEVELS[(index * 3) % LEVELS.length] as string,
    platform: index % 2 === 0 ? 'node' : 'python',
    status: bucket < 7 ? 'unresolved' : bucket < 9 ? 'resolved' : 'ignored',
    release: RELEASES[index % RELEASES.length] as string,
  };
}

export function issueRow(
  issue: SeedIssue,
  projectId: number,
  stats: { first: number; last: number; count: number },
): Insertable<IssueTable> {
  return {
    project_id: projectId,
    short_id: issue.index + 1,
    type: 'error',
    title: issue.title,
    culprit: issue.culprit,
    metadata: JSON.stringify({ title: issue.title, type: issue.type, value: issue.value }),
    level: issue.level,
    platform: issue.platform,
    logger: null,
    status: issue.status,
    substatus: issue.status === 'unresolved' ? 'ongoing' : null,
    first_seen: stats.first,
    last_seen: stats.last,
    times_seen: stats.count,
    user_count: Math.max(1, Math.min(stats.count, 1 + (issue.index % 50))),
    first_release: RELEASES[0] as string,
    last_release: issue.release,
    resolved_at: issue.status === 'resolved' ? stats.last : null,
    ignore_until: null,
    ignore_count: null,
    ignore_count_base: null,
    ignore_user_count: null,
    ignore_user_base: null,
    assignee_user_id: null,
    assignee_team_id: null,
    priority: null,
  };
}

const EVENT_ID = '__EVENT_ID__';
const TIMESTAMP = '"__TIMESTAMP__"';

/**
 * The stored document of an event of this issue, as digest writes it (the SDK's payload plus
 * Errata's fields), with placeholders for the event id and time: 20 in-app frames, 8 breadcrumbs
 * and the usual contexts, about 3 KB. The SDK payloads in bench/payloads are 25-27 KB, mostly
 * source context and local variables; those are left out so that 1,000,000 events fit in a few GB.
 */
export function documentTemplate(issue: SeedIssue): string {
  const frames = Array.from({ length: 20 }, (_, i) => {
    const step = String(i + 1).padStart(2, '0');
    return {
      filename: `shop/orders/handler${issue.index}.js`,
      function: `handler${issue.index}_step${step}`,
      lineno: 40 + i,
      colno: 31,
      in_app: true,
    };
  });
  const breadcrumbs = [
    ['http', 'GET /api/cart'],
    ['query', 'SELECT * FROM carts WHERE user_id = $1'],
    ['cart', 'added item'],
    ['http', 'POST /api/coupons/apply'],
    ['auth', 'session refreshed'],
    ['http', 'GET /api/shipping/quote'],
    ['checkout', 'submitting order'],
    ['query', 'INSERT INTO orders (user_id, total) VALUES ($1, $2)'],
  ].map(([category, message]) => ({ category, message, level: 'info', timestamp: TIMESTAMP }));
  const tags = [
    ['level', issue.level],
    ['environment', 'production'],
    ['release', issue.release],
    ['server_name', SERVERS[issue.index % SERVERS.length]],
  ];
  const document = {
    exception: {
      values: [
        {
          type: issue.type,
          value: issue.value,
          mechanism: { type: 'generic', handled: true },
          stacktrace: { frames },
        },
      ],
    },
    breadcrumbs: { values: breadcrumbs },
    contexts: {
      runtime: { name: 'node', version: 'v20.20.2' },
      os: { name: 'Debian', version: '12.11', kernel_version: '6.18.44' },
      device: { arch: 'x64', processor_count: 2, memory_size: 25276510208 },
      trace: { trace_id: '02e1d9e9495742198eb87780d3ff93d7', span_id: '8af10a683d55a738' },
      order: { id: 99812, items: 3, total: 149.9, currency: 'EUR' },
    },
    sdk: { name: issue.platform === 'node' ? 'sentry.javascript.node' : 'sentry.python', version: '11.12.0' },
    user: { id: 'user-1042', email: 'grace@example.com' },
    server_name: SERVERS[issue.index % SERVERS.length],
    environment: 'production',
    release: issue.release,
    event_id: EVENT_ID,
    timestamp: TIMESTAMP,
    received: TIMESTAMP,
    level: issue.level,
    platform: issue.platform,
    tags,
    metadata: { title: issue.title, type: issue.type, value: issue.value },
    title: issue.title,
    culprit: issue.culprit,
    type: 'error',
    grouping: { mechanism: 'errata:2026-11', variant: 'app', hashes: [issueHash(issue.index)] },
  };
  return JSON.stringify(document);
}

export function issueHash(index: number): string {
  return `bench${String(index).padStart(27, '0')}`;
}

export function eventRow(
  issue: SeedIssue,
  template: string,
  projectId: number,
  issueId: number,
  eventId: string,
  timestamp: number,
): Insertable<EventTable> {
  const seconds = String(timestamp / 1000);
  return {
    project_id: projectId,
    issue_id: issueId,
    event_id: eventId,
    type: 'error',
    timestamp,
    received_at: timestamp + 40,
    level: issue.level,
    title: issue.title,
    message: issue.value,
    culprit: issue.culprit,
    release: issue.release,
    environment: 'production',
    platform: issue.platform,
    transaction_name: null,
    trace_id: null,
    user_key: `id:user-${timestamp % 997}`,
    tags: JSON.stringify([
      ['level', issue.level],
      ['environment', 'production'],
      ['release', issue.release],
    ]),
    data: template.replace(EVENT_ID, eventId).replaceAll(TIMESTAMP, seconds),
  };
}
