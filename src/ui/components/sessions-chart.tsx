import { useState } from 'react';
import { useApi } from '../lib/api.js';
import { plural } from '../lib/format.js';
import { searchValue } from '../lib/releases.js';
import { qs } from '../lib/router.js';
import type { SessionsResult } from '../lib/types.js';
import { LAST_24_HOURS, lastDays, PeriodToggle } from './period-toggle.js';
import { ChartTicks, ChartTotal, StackedBars } from './stacked-bars.js';

const PERIODS = { '24h': LAST_24_HOURS, '14d': lastDays(14) };
type Period = keyof typeof PERIODS;
const PERIOD_LABELS: Record<Period, string> = { '24h': '24 hours', '14d': '14 days' };

/** Session outcomes, stacked from the bottom in this order. */
const STATUSES = ['healthy', 'errored', 'abnormal', 'crashed'] as const;
type Status = (typeof STATUSES)[number];
const FIELD = 'sum(session)';

/** Per status, the sessions of each interval and of the whole range. */
function byStatus(result: SessionsResult | undefined) {
  const series = {} as Record<Status, number[]>;
  const totals = {} as Record<Status, number>;
  const slots = result?.intervals.length ?? 0;
  for (const status of STATUSES) {
    const group = result?.groups.find((g) => g.by['session.status'] === status);
    series[status] = Array.from({ length: slots }, (_, i) => group?.series[FIELD]?.[i] ?? 0);
    totals[status] = group?.totals[FIELD] ?? 0;
  }
  return { series, totals };
}

/**
 * Sessions over time (`GET /organizations/:org/sessions/`), stacked by how they ended, for some
 * projects and optionally one release and one environment; plain SVG, as the issue page's chart.
 */
export function SessionsChart({
  orgSlug,
  projectIds,
  release,
  environment,
}: {
  orgSlug: string;
  /** None: every project the caller reaches. */
  projectIds: readonly string[];
  release?: string;
  environment?: string;
}) {
  const [period, setPeriod] = useState<Period>('24h');
  const loaded = useApi<SessionsResult>(
    `/organizations/${encodeURIComponent(orgSlug)}/sessions/${qs({
      field: FIELD,
      groupBy: 'session.status',
      interval: PERIODS[period].interval,
      statsPeriod: period,
      project: projectIds,
      environment,
      query: release ? `release:${searchValue(release)}` : undefined,
    })}`,
  );
  const { series, totals } = byStatus(loaded.data);
  const intervals = loaded.data?.intervals ?? [];
  const total = STATUSES.reduce((n, s) => n + totals[s], 0);
  const summary = `${plural(total, 'session')} in the ${PERIODS[period].label.toLowerCase()}`;

  return (
    <div className="events-chart sessions-chart">
      <div className="chart-controls">
        <PeriodToggle labels={PERIOD_LABELS} period={period} onChange={setPeriod} />
        <ChartTotal loading={loaded.loading} total={total} summary={summary} />
      </div>
      <StackedBars
        error={loaded.error}
        label={summary}
        bars={intervals.map((time, i) => {
          const parts = STATUSES.map((s) => ({
            key: s,
            value: series[s][i] ?? 0,
            className: `chart-bar session-${s}`,
          }));
          const stacked = parts.reduce((n, part) => n + part.value, 0);
          return {
            key: time,
            title: `${new Date(time).toLocaleString()}: ${plural(stacked, 'session')}`,
            parts,
          };
        })}
      />
      <ChartTicks slots={intervals} label={(time) => PERIODS[period].tick(new Date(time))} />
      <ul className="chart-legend" aria-label="Sessions by outcome">
        {STATUSES.map((s) => (
          <li key={s} data-status={s}>
            <span className={`swatch session-${s}`} aria-hidden="true" />
            {s} <span className="muted legend-count">{totals[s]}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
