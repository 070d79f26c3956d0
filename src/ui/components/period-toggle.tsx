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
