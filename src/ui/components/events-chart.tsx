import { useState } from 'react';
import { useApi } from '../lib/api.js';
import { plural } from '../lib/format.js';
import { qs } from '../lib/router.js';
import { LAST_24_HOURS, lastDays, PeriodToggle } from './period-toggle.js';
import { ChartTicks, ChartTotal, StackedBars } from './stacked-bars.js';

type Point = [number, { count: number }[]];
interface SeriesBody {
  data: Point[];
  order?: number;
}

const PERIODS = { '24h': LAST_24_HOURS, '30d': lastDays(30) };
type Period = keyof typeof PERIODS;
const PERIOD_LABELS: Record<Period, string> = { '24h': '24 hours', '30d': '30 days' };
type Split = '' | 'environment' | 'release';

/** At most this many groups get a colour of their own; the rest add up as "Other". */
const TOP = 5;

/**
 * One series per group, each a count per bucket, all on the same buckets. The shape tells the two
 * answers apart (a grouped one keys objects, a plain one holds `data` as a list), so the chart
 * keeps drawing the last answer while the next one loads.
 */
function seriesOf(body: SeriesBody | Record<string, SeriesBody> | undefined): {
  grouped: boolean;
  series: { name: string; points: Point[] }[];
} {
  if (!body) return { grouped: false, series: [] };
  if (Array.isArray((body as SeriesBody).data)) {
    return { grouped: false, series: [{ name: 'Events', points: (body as SeriesBody).data }] };
  }
  const series = Object.entries(body as Record<string, SeriesBody>)
    .sort(([, a], [, b]) => (a.order ?? 0) - (b.order ?? 0))
    .map(([name, s]) => ({ name, points: s.data }));
  return { grouped: true, series };
}

/**
 * An issue's events over time (`GET /organizations/:org/events-stats/`), 24 hours by the hour or 30
 * days by the day, one stacked colour per environment or release when asked; plain SVG.
 */
export function EventsChart({
  orgSlug,
  issueId,
  environment,
}: {
  orgSlug: string;
  issueId: string;
  environment?: string;
}) {
  const [period, setPeriod] = useState<Period>('24h');
  const [split, setSplit] = useState<Split>('');
  const loaded = useApi<SeriesBody | Record<string, SeriesBody>>(
    `/organizations/${encodeURIComponent(orgSlug)}/events-stats/${qs({
      query: `issue.id:${issueId}`,
      statsPeriod: period,
      interval: PERIODS[period].interval,
      yAxis: 'count()',
      environment,
      ...(split ? { topEvents: String(TOP), field: split } : {}),
    })}`,
  );
  const { grouped, series } = seriesOf(loaded.data);
  const buckets = series[0]?.points.map(([time]) => time) ?? [];
  const totals = buckets.map((_, i) => series.reduce((n, s) => n + (s.points[i]?.[1][0]?.count ?? 0), 0));
  const total = totals.reduce((a, b) => a + b, 0);
  const summary = `${plural(total, 'event')} in the ${PERIODS[period].label.toLowerCase()}`;

  return (
    <div className="events-chart">
      <div className="chart-controls">
        <PeriodToggle labels={PERIOD_LABELS} period={period} onChange={setPeriod} />
        <label className="inline-field">
          <span>By</span>
          <select value={split} onChange={(e) => setSplit(e.target.value as Split)}>
            <option value="">All events</option>
            <option value="environment">Environment</option>
            <option value="release">Release</option>
          </select>
        </label>
        <ChartTotal loading={loaded.loading} total={total} summary={summary} />
      </div>
      <StackedBars
        error={loaded.error}
        label={summary}
        bars={buckets.map((time, i) => ({
          key: time,
          title: `${new Date(time * 1000).toLocaleString()}: ${plural(totals[i] ?? 0, 'event')}`,
          parts: series.map((s, k) => ({
            key: s.name,
            value: s.points[i]?.[1][0]?.count ?? 0,
            className: `chart-bar series-${k % 6}`,
          })),
        }))}
      />
      <ChartTicks slots={buckets} label={(time) => PERIODS[period].tick(new Date(time * 1000))} />
      {split && grouped && (
        <ul className="chart-legend">
          {series.map((s, k) => (
            <li key={s.name}>
              <span className={`swatch series-${k % 6}`} aria-hidden="true" />
              {s.name}{' '}
              <span className="muted">{s.points.reduce((n, [, [c]]) => n + (c?.count ?? 0), 0)}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
