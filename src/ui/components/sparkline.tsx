/** A small bar graph of event counts over time (Sentry's issue `stats`: [[unix seconds, count], …]). */
export function Sparkline({ points, label }: { points: [number, number][] | undefined; label: string }) {
  if (!points || points.length === 0) return <span className="sparkline-none">—</span>;
  const max = Math.max(1, ...points.map(([, n]) => n));
  const width = 100;
  const height = 24;
  const bar = width / points.length;
  const total = points.reduce((sum, [, n]) => sum + n, 0);
  return (
    <svg
      className="sparkline"
      viewBox={`0 0 ${width} ${height}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={`${label}: ${total} events`}
    >
      <title>{`${label}: ${total} events`}</title>
      {points.map(([time, n], i) => (
        <rect
          key={time}
          x={i * bar + bar * 0.1}
          width={bar * 0.8}
          y={height - Math.max(n > 0 ? 2 : 0.5, (n / max) * height)}
          height={Math.max(n > 0 ? 2 : 0.5, (n / max) * height)}
          className={n > 0 ? 'bar' : 'bar empty'}
        />
      ))}
    </svg>
  );
}
