import { useState } from 'react';
import { useApi } from '../lib/api.js';
import { plural } from '../lib/format.js';
import { searchValue } from '../lib/releases.js';
import { qs } from '../lib/router.js';
import type { SessionsResult } from '../lib/types.js';

const PERIODS = {
  '24h': { label: 'Last 24 hours', interval: '1h', tick: (d: Date) => `${d.getHours()}:00` },
  '14d': {
    label: 'Last 14 days',
    interval: '1d',
    tick: (d: Date) => d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' }),
  },
} as const;
type Period = keyof typeof PERIODS;

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
  const stacked = intervals.map((_, i) => STATUSES.reduce((n, s) => n + (series[s][i] ?? 0), 0));
  const total = STATUSES.reduce((n, s) => n + totals[s], 0);
  const max = Math.max(1, ...stacked);
  const width = 600;
  const height = 120;
  const step = intervals.length > 0 ? width / intervals.length : width;
  const summary = `${plural(total, 'session')} in the ${PERIODS[period].label.toLowerCase()}`;

  return (
    <div className="events-chart sessions-chart">
      <div className="chart-controls">
        <fieldset className="segmented">
          <legend className="visually-hidden">Period</legend>
          {(Object.keys(PERIODS) as Period[]).map((p) => (
            <button
              key={p}
              type="button"
              className={`button small${p === period ? ' selected' : ''}`}
              aria-pressed={p === period}
              onClick={() => setPeriod(p)}
            >
              {p === '24h' ? '24 hours' : '14 days'}
            </button>
          ))}
        </fieldset>
        <output className="chart-total" aria-live="polite" data-total={loaded.loading ? undefined : total}>
          {loaded.loading ? 'Loading…' : summary}
        </output>
      </div>
      {loaded.error ? (
        <p className="chart-error">{loaded.error.message}</p>
      ) : (
        <svg
          className="chart"
          viewBox={`0 0 ${width} ${height}`}
          preserveAspectRatio="none"
          role="img"
          aria-label={summary}
        >
          {intervals.map((time, i) => {
            let y = height;
            return (
              <g key={time}>
                <title>{`${new Date(time).toLocaleString()}: ${plural(stacked[i] ?? 0, 'session')}`}</title>
                <rect x={i * step} y={0} width={step} height={height} className="chart-hover" />
                {STATUSES.map((s) => {
                  const n = series[s][i] ?? 0;
                  if (n === 0) return null;
                  const h = Math.max(1, (n / max) * (height - 4));
                  y -= h;
                  return (
                    <rect
                      key={s}
                      x={i * step + step * 0.12}
                      width={step * 0.76}
                      y={y}
                      height={h}
                      className={`chart-bar session-${s}`}
                    />
                  );
                })}
              </g>
            );
          })}
          <line x1={0} x2={width} y1={height} y2={height} className="chart-axis" />
        </svg>
      )}
      {intervals.length > 0 && (
        <div className="chart-ticks" aria-hidden="true">
          {[0, Math.floor(intervals.length / 2), intervals.length - 1].map((i) => (
            <span key={i}>{PERIODS[period].tick(new Date(intervals[i] as string))}</span>
          ))}
        </div>
      )}
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
