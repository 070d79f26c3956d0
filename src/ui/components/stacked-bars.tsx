/** One coloured part of a bar; `data` becomes data-* attributes tests and tools read. */
export interface BarPart {
  readonly key: string;
  readonly value: number;
  readonly className: string;
  readonly data?: Readonly<Record<string, string | number>>;
}

/** One slot of the chart: its parts stacked from the bottom in order. */
export interface Bar {
  readonly key: string | number;
  readonly title: string;
  readonly parts: readonly BarPart[];
  readonly data?: Readonly<Record<string, string | number>>;
}

const dataAttributes = (data: Readonly<Record<string, string | number>> | undefined) =>
  Object.fromEntries(Object.entries(data ?? {}).map(([name, value]) => [`data-${name}`, value]));

/**
 * Stacked bars in plain SVG, scaled to the tallest bar, with a hover area per slot; in their place
 * the error's message when the numbers could not be loaded.
 */
export function StackedBars({
  bars,
  height = 120,
  label,
  error,
}: {
  bars: readonly Bar[];
  /** In viewBox units; the width is 600. */
  height?: number;
  label: string;
  error?: { readonly message: string } | null;
}) {
  if (error) return <p className="chart-error">{error.message}</p>;
  const width = 600;
  const max = Math.max(1, ...bars.map((b) => b.parts.reduce((n, p) => n + p.value, 0)));
  const step = bars.length > 0 ? width / bars.length : width;
  return (
    <svg
      className="chart"
      viewBox={`0 0 ${width} ${height}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={label}
    >
      {bars.map((bar, i) => {
        let y = height;
        return (
          <g key={bar.key} {...dataAttributes(bar.data)}>
            <title>{bar.title}</title>
            <rect x={i * step} y={0} width={step} height={height} className="chart-hover" />
            {bar.parts.map((part) => {
              if (part.value === 0) return null;
              const h = Math.max(1, (part.value / max) * (height - 4));
              y -= h;
              return (
                <rect
                  key={part.key}
                  {...dataAttributes(part.data)}
                  x={i * step + step * 0.12}
                  width={step * 0.76}
                  y={y}
                  height={h}
                  className={part.className}
                />
              );
            })}
          </g>
        );
      })}
      <line x1={0} x2={width} y1={height} y2={height} className="chart-axis" />
    </svg>
  );
}

/** The first, middle and last slot's labels under a chart. */
export function ChartTicks<T>({ slots, label }: { slots: readonly T[]; label: (slot: T) => string }) {
  if (slots.length === 0) return null;
  return (
    <div className="chart-ticks" aria-hidden="true">
      {[0, Math.floor(slots.length / 2), slots.length - 1].map((i) => (
        <span key={i}>{label(slots[i] as T)}</span>
      ))}
    </div>
  );
}

/** A chart's total, for people and for tests (`data-total`), once its numbers are in. */
export function ChartTotal({
  loading,
  total,
  summary,
}: {
  loading: boolean;
  total: number;
  summary: string;
}) {
  return (
    <output className="chart-total" aria-live="polite" data-total={loading ? undefined : total}>
      {loading ? 'Loading…' : summary}
    </output>
  );
}
