import { usePageTitle } from '../components/layout.js';
import { ListSearch } from '../components/list-search.js';
import { EmptyState, ErrorNotice, Loading } from '../components/notice.js';
import { Pager } from '../components/pager.js';
import { PeriodToggle } from '../components/period-toggle.js';
import { ProjectFilter } from '../components/project-filter.js';
import { useApi } from '../lib/api.js';
import { count, dateTime, duration, percent } from '../lib/format.js';
import { Link, qs, useListParams } from '../lib/router.js';
import { useOrg } from '../lib/session.js';

const PER_PAGE = 50;
const RECENT = 25;
const PERIODS = { '24h': 'Last 24 hours', '7d': 'Last 7 days', '14d': 'Last 14 days' } as const;
type Period = keyof typeof PERIODS;

const SUMMARY = ['transaction', 'count()', 'p50()', 'p95()', 'failure_rate()'];
const RECENT_FIELDS = ['trace', 'span.duration', 'timestamp', 'span.status', 'project'];

interface SummaryRow {
  transaction: string | null;
  'count()': number;
  'p50()': number;
  'p95()': number;
  'failure_rate()': number;
}

interface RecentRow {
  trace: string;
  'span.duration': number;
  timestamp: string;
  'span.status': string | null;
  project: string;
}

/** A search term with its value quoted, as the events endpoint reads it. */
const quoted = (key: string, value: string) =>
  `${key}:"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;

/** Statuses Sentry does not count as failures. */
const NOT_FAILED = new Set(['ok', 'cancelled', 'unknown']);

/**
 * The organization's transactions by name: how many, how long (p50, p95) and how often they
 * fail, in a period and project, searchable like the other lists. A name opens its latest
 * transactions, each linking to its trace.
 */
export function TracesPage() {
  const { org } = useOrg();
  usePageTitle('Traces');
  const { search, setParams, submitSearch } = useListParams();
  const query = search.get('query') ?? '';
  const projectId = search.get('project') ?? '';
  const asked = search.get('statsPeriod') ?? '';
  const period: Period = Object.hasOwn(PERIODS, asked) ? (asked as Period) : '24h';
  const selected = search.get('transaction');
  const orgPath = `/organizations/${encodeURIComponent(org.slug)}`;
  const loaded = useApi<{ data: SummaryRow[] }>(
    `${orgPath}/events/${qs({
      dataset: 'spans',
      field: SUMMARY,
      query: ['is_transaction:true', query].filter(Boolean).join(' '),
      project: projectId,
      sort: '-count()',
      statsPeriod: period,
      per_page: PER_PAGE,
      cursor: search.get('cursor'),
    })}`,
  );
  const rows = loaded.data?.data ?? [];

  return (
    <div className="traces">
      <div className="page-head">
        <h1>Traces</h1>
      </div>
      <div className="filters">
        <ListSearch
          id="trace-search"
          label="Search transactions"
          placeholder="Search span text, or key:value (transaction:…, span.duration:>1s)"
          query={query}
          wide
          onSubmit={submitSearch}
        />
        <PeriodToggle labels={PERIODS} period={period} onChange={(p) => setParams({ statsPeriod: p })} />
        <ProjectFilter org={org} value={projectId} onChange={(v) => setParams({ project: v })} />
        <button type="button" className="button" onClick={loaded.reload}>
          Refresh
        </button>
      </div>

      <section aria-label="Transactions" aria-busy={loaded.loading}>
        {loaded.error ? (
          <ErrorNotice error={loaded.error} />
        ) : loaded.data === undefined ? (
          <Loading what="Loading transactions" />
        ) : rows.length === 0 ? (
          <EmptyState title={query || projectId ? 'No transactions match' : 'No transactions yet'}>
            <p>
              SDKs send transactions when tracing is on: <code>tracesSampleRate: 1</code> in{' '}
              <code>Sentry.init</code> (<code>traces_sample_rate=1.0</code> in Python).
            </p>
          </EmptyState>
        ) : (
          <div className="table-scroll">
            <table className="grid transaction-table">
              <thead>
                <tr>
                  <th scope="col">Transaction</th>
                  <th scope="col" className="num">
                    Count
                  </th>
                  <th scope="col" className="num">
                    p50
                  </th>
                  <th scope="col" className="num">
                    p95
                  </th>
                  <th scope="col" className="num">
                    Failure rate
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => {
                  const name = row.transaction ?? '';
                  return (
                    <tr key={name} className={name === selected ? 'selected' : undefined}>
                      <td>
                        <button
                          type="button"
                          className="link-button transaction-name"
                          aria-expanded={name === selected}
                          onClick={() => setParams({ transaction: name === selected ? null : name })}
                        >
                          {row.transaction ?? '(no name)'}
                        </button>
                      </td>
                      <td className="num">{count(row['count()'])}</td>
                      <td className="num">{duration(row['p50()'])}</td>
                      <td className="num">{duration(row['p95()'])}</td>
                      <td className="num">{percent(row['failure_rate()'])}</td>
                    </tr>
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

      {selected !== null && (
        <RecentTransactions
          orgPath={orgPath}
          name={selected}
          projectId={projectId}
          period={period}
          onClose={() => setParams({ transaction: null })}
        />
      )}
    </div>
  );
}

/** The latest transactions of one name, newest first, each linking to its trace. */
function RecentTransactions({
  orgPath,
  name,
  projectId,
  period,
  onClose,
}: {
  orgPath: string;
  name: string;
  projectId: string;
  period: Period;
  onClose: () => void;
}) {
  const loaded = useApi<{ data: RecentRow[] }>(
    `${orgPath}/events/${qs({
      dataset: 'spans',
      field: RECENT_FIELDS,
      query: `is_transaction:true ${quoted('transaction', name)}`,
      project: projectId,
      sort: '-timestamp',
      statsPeriod: period,
      per_page: RECENT,
    })}`,
  );
  const rows = loaded.data?.data ?? [];
  return (
    <section aria-label={`Recent ${name}`} aria-busy={loaded.loading} className="recent-transactions">
      <div className="section-head">
        <h2>
          Recent <span className="mono">{name}</span>
        </h2>
        <button type="button" className="button small" onClick={onClose}>
          Close
        </button>
      </div>
      {loaded.error ? (
        <ErrorNotice error={loaded.error} />
      ) : loaded.data === undefined ? (
        <Loading what="Loading recent transactions" />
      ) : rows.length === 0 ? (
        <EmptyState title="None in this period" />
      ) : (
        <div className="table-scroll">
          <table className="grid">
            <thead>
              <tr>
                <th scope="col">Trace</th>
                <th scope="col" className="num">
                  Duration
                </th>
                <th scope="col">Status</th>
                <th scope="col">Project</th>
                <th scope="col">Time</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => {
                const status = row['span.status'] ?? 'unknown';
                return (
                  <tr key={`${row.trace} ${row.timestamp}`}>
                    <td>
                      <Link
                        to={`${orgPath}/explore/traces/trace/${encodeURIComponent(row.trace)}/`}
                        className="mono"
                        title="Open the trace"
                      >
                        {row.trace.slice(0, 8)}
                      </Link>
                    </td>
                    <td className="num">{duration(row['span.duration'])}</td>
                    <td>
                      <span className={`badge ${NOT_FAILED.has(status) ? 'span-ok' : 'span-failed'}`}>
                        {status}
                      </span>
                    </td>
                    <td>{row.project}</td>
                    <td className="nowrap">{dateTime(row.timestamp)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
