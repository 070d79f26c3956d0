/** The segmented row of period buttons above a chart; the pressed one is the period shown. */
export function PeriodToggle<P extends string>({
  labels,
  period,
  onChange,
}: {
  /** Each period's button text, in button order. */
  labels: Readonly<Record<P, string>>;
  period: P;
  onChange: (period: P) => void;
}) {
  return (
    <fieldset className="segmented">
      <legend className="visually-hidden">Period</legend>
      {(Object.keys(labels) as P[]).map((p) => (
        <button
          key={p}
          type="button"
          className={`button small${p === period ? ' selected' : ''}`}
          aria-pressed={p === period}
          onClick={() => onChange(p)}
        >
          {labels[p]}
        </button>
      ))}
    </fieldset>
  );
}

/** What a chart asks for and shows over one period: its words, bucket size and tick labels. */
export interface ChartPeriod {
  readonly label: string;
  readonly interval: string;
  readonly tick: (d: Date) => string;
}

export const LAST_24_HOURS: ChartPeriod = {
  label: 'Last 24 hours',
  interval: '1h',
  tick: (d) => `${d.getHours()}:00`,
};

/** The last `days` days, by the day. */
export const lastDays = (days: number): ChartPeriod => ({
  label: `Last ${days} days`,
  interval: '1d',
  tick: (d) => d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' }),
});
