import { Fragment, useEffect, useState } from 'react';
import { usePageTitle } from '../components/layout.js';
import { ListSearch } from '../components/list-search.js';
import { EmptyState, ErrorNotice, Loading } from '../components/notice.js';
import { Pager } from '../components/pager.js';
import { ProjectFilter } from '../components/project-filter.js';
import { useApi } from '../lib/api.js';
import { dateTime } from '../lib/format.js';
import { Link, qs, useListParams } from '../lib/router.js';
import { useOrg } from '../lib/session.js';
import { tracePath } from '../lib/traces.js';

const PER_PAGE = 50;
/** How often a live list asks again: new logs show within seconds without a request storm. */
const LIVE_EVERY_MS = 5_000;
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
const FIELDS = ['sentry.item_id', 'timestamp', 'severity', 'message', 'trace', 'span_id', 'project'];

interface LogRow {
  'sentry.item_id': string;
  timestamp: string;
  severity: string;
  message: string;
  trace: string;
  span_id: string | null;
  project: string;
}

interface Attribute {
  name: string;
  type: string;
  value: unknown;
}

/** The levels Sentry's logs use, shown with the colours of the issue levels they match. */
const BADGE_LEVEL: Record<string, string> = { warn: 'warning' };

/** A `key:value` term with the value quoted when it holds a space or a quote. */
const term = (key: string, value: string) =>
  /[\s"]/.test(value) ? `${key}:"${value.replaceAll('"', '\\"')}"` : `${key}:${value}`;

/**
 * The organization's logs, newest first: a level filter, a search over the text (and Sentry's
 * `key:value` terms), a project filter, each row's attributes shown on opening it, and every log of
 * the same trace one click away.
 */
export function LogsPage() {
  const { org } = useOrg();
  usePageTitle('Logs');
  const { pathname, search, setParams, submitSearch } = useListParams();
  const query = search.get('query') ?? '';
  const level = search.get('level') ?? '';
  const projectId = search.get('project') ?? '';
  const orgPath = `/organizations/${encodeURIComponent(org.slug)}`;
  const fullQuery = [level ? `severity:${level}` : '', query].filter(Boolean).join(' ');
  // A window (`start` and `end`, as "Logs around this event" sends) wins over the period.
  const start = search.get('start');
  const end = search.get('end');
  const inWindow = start && end && !Number.isNaN(Date.parse(start)) && !Number.isNaN(Date.parse(end));
  const loaded = useApi<{ data: LogRow[] }>(
    `${orgPath}/events/${qs({
      dataset: 'logs',
      field: FIELDS,
      query: fullQuery,
      project: projectId,
      sort: '-timestamp',
      ...(inWindow ? { start, end } : { statsPeriod: search.get('statsPeriod') ?? '14d' }),
      per_page: PER_PAGE,
      cursor: search.get('cursor'),
    })}`,
  );
  // Live follows the newest logs: only the first page of an open-ended period can gain rows.
  const live = search.get('live') === '1' && !inWindow && !search.get('cursor');
  const { reload } = loaded;
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') reload();
    }, LIVE_EVERY_MS);
    return () => clearInterval(timer);
  }, [live, reload]);
  const oneTrace = /^trace:([0-9a-f]{32})$/.exec(query.trim())?.[1];
  const [open, setOpen] = useState<string | null>(null);

  const rows = loaded.data?.data ?? [];

  return (
    <div className="logs">
      <div className="page-head">
        <h1>Logs</h1>
      </div>
      <div className="filters">
        <ListSearch
          id="log-search"
          label="Search logs"
          placeholder="Search text, or key:value (trace:…, userId:42)"
          query={query}
          wide
          onSubmit={submitSearch}
        />
        <label>
          <span className="visually-hidden">Level</span>
          <select aria-label="Level" value={level} onChange={(e) => setParams({ level: e.target.value })}>
            <option value="">All levels</option>
            {LEVELS.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <ProjectFilter org={org} value={projectId} onChange={(v) => setParams({ project: v })} />
        <button type="button" className="button" onClick={loaded.reload}>
          Refresh
        </button>
        <label className="live-toggle">
          <input
            type="checkbox"
            checked={search.get('live') === '1'}
            onChange={(e) => setParams({ live: e.target.checked ? '1' : null, cursor: null })}
          />{' '}
          Live
        </label>
      </div>
      {(inWindow || oneTrace) && (
        <p className="log-scope">
          {oneTrace && (
            <span>
              The logs of trace <code>{oneTrace.slice(0, 8)}</code>{' '}
              <Link to={tracePath(org.slug, oneTrace)}>Open trace</Link>
            </span>
          )}
          {inWindow && (
            <span>
              From {dateTime(start)} to {dateTime(end)}{' '}
              <button
                type="button"
                className="link-button"
                onClick={() => setParams({ start: null, end: null })}
              >
                Any time
              </button>
            </span>
          )}
        </p>
      )}

      <section aria-label="Logs" aria-busy={loaded.loading}>
        {loaded.error ? (
          <ErrorNotice error={loaded.error} />
        ) : loaded.data === undefined ? (
          <Loading what="Loading logs" />
        ) : rows.length === 0 ? (
          <EmptyState title={fullQuery || projectId ? 'No logs match' : 'No logs yet'}>
            <p>
              SDKs send logs when told to: <code>enableLogs: true</code> in <code>Sentry.init</code>, then{' '}
              <code>Sentry.logger.info(…)</code>.
            </p>
          </EmptyState>
        ) : (
          <div className="table-scroll">
            <table className="grid log-table">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Level</th>
                  <th scope="col">Message</th>
                  <th scope="col">Project</th>
                  <th scope="col">Trace</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => {
                  const id = row['sentry.item_id'];
                  const expanded = open === id;
                  return (
                    <Fragment key={id}>
                      <tr className={`log-row level-edge-${BADGE_LEVEL[row.severity] ?? row.severity}`}>
                        <td className="nowrap">{dateTime(row.timestamp)}</td>
                        <td>
                          <span className={`badge level level-${BADGE_LEVEL[row.severity] ?? row.severity}`}>
                            {row.severity}
                          </span>
                        </td>
                        <td>
                          <button
                            type="button"
                            className="link-button log-message"
                            aria-expanded={expanded}
                            onClick={() => setOpen(expanded ? null : id)}
                          >
                            {row.message}
                          </button>
                        </td>
                        <td>{row.project}</td>
                        <td className="nowrap">
                          <Link
                            to={`${pathname}${qs({ query: term('trace', row.trace) })}`}
                            title="Every log of this trace"
                            className="mono"
                          >
                            {row.trace.slice(0, 8)}
                          </Link>{' '}
                          <Link
                            to={tracePath(org.slug, row.trace, {
                              timestamp: Date.parse(row.timestamp) / 1000,
                            })}
                            className="trace-jump"
                            title="Open this trace’s spans and errors"
                          >
                            Trace view
                          </Link>
                        </td>
                      </tr>
                      {expanded && (
                        <tr className="log-detail">
                          <td colSpan={5}>
                            <LogAttributes orgPath={orgPath} row={row} />
                          </td>
                        </tr>
                      )}
                    </Fragment>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        {(loaded.next || loaded.previous) && (
          <Pager previous={loaded.previous} next={loaded.next} onPage={(cursor) => setParams({ cursor })} />
        )}
      </section>
    </div>
  );
}

/** One log's attributes, read when its row is opened (the list asks only for its columns). */
function LogAttributes({ orgPath, row }: { orgPath: string; row: LogRow }) {
  const project = orgPath.replace('/organizations/', '/projects/');
  const loaded = useApi<{ attributes: Attribute[] }>(
    `${project}/${encodeURIComponent(row.project)}/trace-items/${row['sentry.item_id']}/${qs({ item_type: 'logs' })}`,
  );
  if (loaded.error) return <ErrorNotice error={loaded.error} />;
  if (loaded.data === undefined) return <Loading what="Loading attributes" />;
  return (
    <dl className="log-attributes">
      {loaded.data.attributes.map((attr) => (
        <Fragment key={attr.name}>
          <dt>{attr.name}</dt>
          <dd className="mono">{String(attr.value)}</dd>
        </Fragment>
      ))}
    </dl>
  );
}
