import { useState } from 'react';
import { usePageTitle } from '../components/layout.js';
import { ErrorNotice, Loading } from '../components/notice.js';
import { PeriodToggle } from '../components/period-toggle.js';
import { ChartTicks, StackedBars } from '../components/stacked-bars.js';
import { useApi } from '../lib/api.js';
import { bytes } from '../lib/format.js';
import { qs } from '../lib/router.js';
import { useOrg } from '../lib/session.js';

interface StatsGroup {
  by: { outcome?: string; project?: number };
  totals: Record<string, number>;
  series: Record<string, number[]>;
}
interface StatsBody {
  intervals: string[];
  groups: StatsGroup[];
}

const FIELD = 'sum(quantity)';

/** The columns of the chart and the table: Sentry's outcomes, those that mean "not kept" together. */
const KINDS = [
  { key: 'accepted', label: 'Accepted', outcomes: ['accepted'] },
  { key: 'filtered', label: 'Filtered', outcomes: ['filtered'] },
  { key: 'rate_limited', label: 'Rate limited', outcomes: ['rate_limited', 'abuse', 'cardinality_limited'] },
  { key: 'invalid', label: 'Invalid', outcomes: ['invalid'] },
  { key: 'client_discard', label: 'Dropped by the SDK', outcomes: ['client_discard'] },
] as const;
type Kind = (typeof KINDS)[number]['key'];

const kindOf = (outcome: string | undefined): Kind | undefined =>
  KINDS.find((k) => (k.outcomes as readonly string[]).includes(outcome ?? ''))?.key;

const CATEGORIES = [
  { key: 'error', label: 'Errors' },
  { key: 'transaction', label: 'Transactions' },
  { key: 'span', label: 'Spans' },
  { key: 'attachment', label: 'Attachments' },
  { key: 'session', label: 'Sessions' },
  { key: 'monitor', label: 'Cron check-ins' },
  { key: 'feedback', label: 'Feedback' },
  { key: 'log_item', label: 'Logs' },
] as const;
type Category = (typeof CATEGORIES)[number]['key'];

const PERIODS = { '7d': 'Last 7 days', '30d': 'Last 30 days' } as const;
type Period = keyof typeof PERIODS;

const emptyTotals = (): Record<Kind, number> => ({
  accepted: 0,
  filtered: 0,
  rate_limited: 0,
  invalid: 0,
  client_discard: 0,
});

/**
 * What the organization's projects sent and what became of it (Sentry's usage stats, from
 * `GET /organizations/:org/stats_v2/`): one category at a time, a bar per day stacked by outcome,
 * and a row per project.
 */
export function UsagePage() {
  const { org } = useOrg();
  usePageTitle('Usage');
  const [period, setPeriod] = useState<Period>('30d');
  const [category, setCategory] = useState<Category>('error');
  const base = `/organizations/${encodeURIComponent(org.slug)}/stats_v2/`;
  const query = { field: FIELD, category, statsPeriod: period, interval: '1d' };
  const byDay = useApi<StatsBody>(`${base}${qs({ ...query, groupBy: 'outcome' })}`);
  const byProject = useApi<StatsBody>(`${base}${qs({ ...query, groupBy: ['outcome', 'project'] })}`);
  const amount = (n: number) => (category === 'attachment' ? bytes(n) : n.toLocaleString('en-US'));

  return (
    <>
      <h1>Usage</h1>
      <p className="muted">
        What your projects sent, and what became of it: accepted and stored, or dropped on the way.
        {category === 'attachment' && ' Attachments are counted in bytes.'}
      </p>
      <div className="chart-controls">
        <PeriodToggle labels={PERIODS} period={period} onChange={setPeriod} />
        <label className="inline-field">
          <span>Category</span>
          <select value={category} onChange={(e) => setCategory(e.target.value as Category)}>
            {CATEGORIES.map((c) => (
              <option key={c.key} value={c.key}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {byDay.error ? (
        <ErrorNotice error={byDay.error} />
      ) : !byDay.data ? (
        <Loading what="Loading usage" />
      ) : (
        <UsageChart body={byDay.data} amount={amount} busy={byDay.loading} />
      )}
      <h2>By project</h2>
      {byProject.error ? (
        <ErrorNotice error={byProject.error} />
      ) : !byProject.data ? (
        <Loading what="Loading usage by project" />
      ) : (
        <ProjectTable body={byProject.data} amount={amount} />
      )}
    </>
  );
}

/** Per day, stacked bars of the outcomes, with the totals of the period as a legend. */
function UsageChart({
  body,
  amount,
  busy,
}: {
  body: StatsBody;
  amount: (n: number) => string;
  busy: boolean;
}) {
  const days = body.intervals;
  const perDay = days.map(() => emptyTotals());
  const totals = emptyTotals();
  for (const group of body.groups) {
    const kind = kindOf(group.by.outcome);
    if (!kind) continue;
    (group.series[FIELD] ?? []).forEach((n, i) => {
      const day = perDay[i];
      if (day) day[kind] += n;
    });
    totals[kind] += group.totals[FIELD] ?? 0;
  }
  const dayTotal = (d: Record<Kind, number>) => KINDS.reduce((n, k) => n + d[k.key], 0);
  const label = (iso: string) =>
    new Date(iso).toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
  const summary = KINDS.map((k) => `${k.label}: ${amount(totals[k.key])}`).join(', ');

  return (
    <div className="events-chart usage-chart" aria-busy={busy}>
      <ul className="usage-totals">
        {KINDS.map((k, i) => (
          <li key={k.key} className="usage-total" data-outcome={k.key} data-total={totals[k.key]}>
            <span className={`swatch series-${i}`} aria-hidden="true" />
            <span className="usage-label">{k.label}</span>
            <strong>{amount(totals[k.key])}</strong>
          </li>
        ))}
      </ul>
      <StackedBars
        height={140}
        label={`Per day. ${summary}`}
        bars={days.map((iso, i) => {
          const day = perDay[i] ?? emptyTotals();
          return {
            key: iso,
            data: { day: iso.slice(0, 10), total: dayTotal(day) },
            title: `${label(iso)}: ${KINDS.map((k) => `${k.label.toLowerCase()} ${amount(day[k.key])}`).join(', ')}`,
            parts: KINDS.map((k, s) => ({
              key: k.key,
              value: day[k.key],
              className: `chart-bar series-${s}`,
              data: { outcome: k.key, value: day[k.key] },
            })),
          };
        })}
      />
      <ChartTicks slots={days} label={label} />
    </div>
  );
}

/** A row per project the caller reaches, with its totals per outcome over the period. */
function ProjectTable({ body, amount }: { body: StatsBody; amount: (n: number) => string }) {
  const { org } = useOrg();
  const rows = new Map<number, Record<Kind, number>>();
  for (const p of org.projects ?? []) rows.set(Number(p.id), emptyTotals());
  for (const group of body.groups) {
    const kind = kindOf(group.by.outcome);
    const project = group.by.project;
    if (!kind || project === undefined) continue;
    const row = rows.get(project) ?? emptyTotals();
    row[kind] += group.totals[FIELD] ?? 0;
    rows.set(project, row);
  }
  const nameOf = (id: number) => (org.projects ?? []).find((p) => Number(p.id) === id)?.slug ?? `#${id}`;
  const sorted = [...rows.entries()].sort(([a], [b]) => nameOf(a).localeCompare(nameOf(b)));
  return (
    <div className="table-scroll">
      <table className="grid usage-table">
        <thead>
          <tr>
            <th scope="col">Project</th>
            {KINDS.map((k) => (
              <th key={k.key} scope="col" className="num">
                {k.label}
              </th>
            ))}
            <th scope="col" className="num">
              Total
            </th>
          </tr>
        </thead>
        <tbody>
          {sorted.map(([id, row]) => (
            <tr key={id} data-project={nameOf(id)}>
              <th scope="row">{nameOf(id)}</th>
              {KINDS.map((k) => (
                <td key={k.key} className="num" data-outcome={k.key} data-value={row[k.key]}>
                  {amount(row[k.key])}
                </td>
              ))}
              <td className="num">{amount(KINDS.reduce((n, k) => n + row[k.key], 0))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
