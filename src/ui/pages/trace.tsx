import { useMemo, useState } from 'react';
import { LevelBadge } from '../components/badges.js';
import { usePageTitle } from '../components/layout.js';
import { EmptyState, ErrorNotice, Loading } from '../components/notice.js';
import { Waterfall } from '../components/waterfall.js';
import { useApi } from '../lib/api.js';
import { count, dateTime } from '../lib/format.js';
import { Link, qs, useLocation } from '../lib/router.js';
import { useOrg } from '../lib/session.js';
import {
  duration,
  type TraceItem,
  type TraceMeta,
  type TraceSpan,
  traceBounds,
  traceErrors,
  traceLogsPath,
  waterfallRows,
} from '../lib/traces.js';

/** How far around the trace its logs are looked for: logs are written as its spans run. */
const LOGS_MARGIN_MS = 3_600_000;

/**
 * One trace: its counts, its spans as a waterfall (errors on the spans they happened in), the
 * errors in it linking to their issues, and its logs one click away. `?timestamp=` (epoch seconds)
 * narrows the search to days around it; `?errorId=` marks that error's span.
 */
export function TracePage({ traceId }: { traceId: string }) {
  const { org } = useOrg();
  const { search } = useLocation();
  const id = traceId.toLowerCase();
  usePageTitle(`Trace ${id.slice(0, 8)}`);
  const orgPath = `/organizations/${encodeURIComponent(org.slug)}`;
  const errorId = search.get('errorId');
  const params = qs({ timestamp: search.get('timestamp'), errorId });
  const trace = useApi<TraceItem[]>(`${orgPath}/trace/${encodeURIComponent(id)}/${params}`);
  const meta = useApi<TraceMeta>(
    `${orgPath}/trace-meta/${encodeURIComponent(id)}/${qs({ timestamp: search.get('timestamp') })}`,
  );
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const items = trace.data ?? [];
  const bounds = useMemo(() => traceBounds(items), [items]);
  const errors = useMemo(() => traceErrors(items), [items]);
  const spans = useMemo(
    () => new Map(waterfallRows(items, new Set()).map((r) => [r.span.event_id, r.span])),
    [items],
  );
  const marked = errorId ? (errors.find((e) => e.error.event_id === errorId)?.span?.event_id ?? null) : null;
  const [chosen, setChosen] = useState<string | null>(null);
  const selected = chosen ?? marked;
  const issuePath = (issueId: number, eventId: string) =>
    `${orgPath}/issues/${issueId}/events/${encodeURIComponent(eventId)}/`;
  const toggle = (spanId: string) =>
    setCollapsed((current) => {
      const next = new Set(current);
      if (!next.delete(spanId)) next.add(spanId);
      return next;
    });
  const logsPath = traceLogsPath(
    org.slug,
    id,
    bounds
      ? { start: bounds.start * 1000 - LOGS_MARGIN_MS, end: bounds.end * 1000 + LOGS_MARGIN_MS }
      : undefined,
  );

  return (
    <article className="trace-page" aria-labelledby="trace-title">
      <div className="page-head">
        <h1 id="trace-title">
          Trace <code className="trace-id">{id}</code>
        </h1>
        <Link className="button" to={logsPath}>
          Logs of this trace
        </Link>
      </div>
      <TraceSummary
        meta={meta.data}
        bounds={bounds}
        logsPath={logsPath}
        projects={new Set([...spans.values()].map((s) => s.project_slug))}
      />
      {meta.error && <ErrorNotice error={meta.error} />}

      <section aria-label="Trace waterfall" aria-busy={trace.loading}>
        {trace.error ? (
          <ErrorNotice error={trace.error} />
        ) : trace.data === undefined ? (
          <Loading what="Loading the trace" />
        ) : bounds === null ? (
          <EmptyState title="No spans or errors of this trace">
            <p>
              Nothing of trace <code>{id}</code> reached the projects you can see in this range. Its spans may
              be in a project of another team, or older than the search reaches.
            </p>
          </EmptyState>
        ) : (
          <>
            {collapsed.size > 0 && (
              <button type="button" className="button small" onClick={() => setCollapsed(new Set())}>
                Expand all
              </button>
            )}
            <Waterfall
              items={items}
              bounds={bounds}
              collapsed={collapsed}
              onToggle={toggle}
              selected={selected}
              onSelect={(spanId) => setChosen(spanId === selected ? null : spanId)}
              issuePath={issuePath}
            />
            {selected && spans.get(selected) && <SpanDetails span={spans.get(selected) as TraceSpan} />}
          </>
        )}
      </section>

      {errors.length > 0 && (
        <section className="trace-errors" aria-labelledby="trace-errors-title">
          <h2 id="trace-errors-title">Errors in this trace</h2>
          <ul>
            {errors.map(({ error, span }) => (
              <li
                key={error.event_id}
                className={`trace-error${error.event_id === errorId ? ' selected' : ''}`}
              >
                <LevelBadge level={error.level} />{' '}
                <Link to={issuePath(error.issue_id, error.event_id)}>
                  {error.short_id ?? error.event_id.slice(0, 8)}
                </Link>{' '}
                <span className="trace-error-title">{error.description}</span>
                <div className="muted">
                  {error.project_slug}
                  {' · '}
                  {span ? (
                    <button type="button" className="link-button" onClick={() => setChosen(span.event_id)}>
                      in {span.op || 'span'} {span.description}
                    </button>
                  ) : (
                    'in no span of this trace'
                  )}
                  {' · '}
                  {dateTime(new Date(error.start_timestamp * 1000).toISOString())}
                </div>
              </li>
            ))}
          </ul>
        </section>
      )}
    </article>
  );
}

function TraceSummary({
  meta,
  bounds,
  logsPath,
  projects,
}: {
  meta: TraceMeta | undefined;
  bounds: { start: number; end: number } | null;
  logsPath: string;
  projects: ReadonlySet<string>;
}) {
  return (
    <dl className="issue-stats trace-stats" aria-label="Trace summary">
      <div>
        <dt>Spans</dt>
        <dd>{meta ? count(meta.spansCount) : '…'}</dd>
      </div>
      <div>
        <dt>Errors</dt>
        <dd>{meta ? count(meta.errorsCount) : '…'}</dd>
      </div>
      <div>
        <dt>Logs</dt>
        <dd>{meta ? <Link to={logsPath}>{count(meta.logsCount)}</Link> : '…'}</dd>
      </div>
      <div>
        <dt>Transactions</dt>
        <dd>{meta ? count(meta.transactionChildCountMap.length) : '…'}</dd>
      </div>
      <div>
        <dt>Duration</dt>
        <dd>{bounds ? duration((bounds.end - bounds.start) * 1000) : '—'}</dd>
      </div>
      <div>
        <dt>Projects</dt>
        <dd>{projects.size > 0 ? [...projects].sort().join(', ') : '—'}</dd>
      </div>
      {bounds && (
        <div>
          <dt>Started</dt>
          <dd>{dateTime(new Date(bounds.start * 1000).toISOString())}</dd>
        </div>
      )}
    </dl>
  );
}

function SpanDetails({ span }: { span: TraceSpan }) {
  const rows: [string, string][] = [
    ['Operation', span.op || '—'],
    ['Description', span.description || '—'],
    ['Transaction', span.transaction || '—'],
    ['Project', span.project_slug],
    ['Duration', duration(span.duration)],
    ['Started', dateTime(new Date(span.start_timestamp * 1000).toISOString())],
    ['Span id', span.event_id],
    ['Parent span id', span.parent_span_id ?? '—'],
    ['Transaction id', span.transaction_id || '—'],
    ['SDK', span.sdk_name || '—'],
  ];
  return (
    <section className="event-section span-details" aria-labelledby="span-details-title">
      <h2 id="span-details-title">
        {span.is_transaction ? 'Transaction' : 'Span'}: {span.op || 'span'}
      </h2>
      <table className="kv">
        <tbody>
          {rows.map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td className={k.endsWith('id') ? 'mono' : undefined}>{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
