import { useEffect, useMemo, useRef } from 'react';
import { Link } from '../lib/router.js';
import { duration, type TraceItem, type TraceSpan, waterfallRows } from '../lib/traces.js';

/** Where the ruler marks the trace's time, as shares of it. */
const TICKS = [0, 0.25, 0.5, 0.75, 1];

/**
 * A trace's spans, one row each, indented by depth: op, description, project and duration on the
 * left, a bar placed and sized by the span's start and duration within the trace on the right.
 * A span with children can be collapsed; a span with errors says so and links to them. Wider than
 * a phone: it scrolls sideways in its own box.
 */
export function Waterfall({
  items,
  bounds,
  collapsed,
  onToggle,
  selected,
  onSelect,
  issuePath,
}: {
  items: readonly TraceItem[];
  bounds: { start: number; end: number };
  collapsed: ReadonlySet<string>;
  onToggle: (spanId: string) => void;
  selected: string | null;
  onSelect: (spanId: string) => void;
  issuePath: (issueId: number, eventId: string) => string;
}) {
  const rows = useMemo(() => waterfallRows(items, collapsed), [items, collapsed]);
  const span = Math.max(bounds.end - bounds.start, 1e-6);
  const share = (seconds: number) => Math.min(100, Math.max(0, ((seconds - bounds.start) / span) * 100));
  const selectedRow = useRef<HTMLLIElement | null>(null);
  useEffect(() => {
    selectedRow.current?.scrollIntoView({ block: 'nearest' });
  }, []);

  return (
    <div className="waterfall-scroll">
      <div className="waterfall">
        <div className="waterfall-ruler" aria-hidden="true">
          <span className="waterfall-label-head">Span</span>
          <span className="waterfall-ticks">
            {TICKS.map((t) => (
              <span key={t} className="waterfall-tick" style={{ left: `${t * 100}%` }}>
                {t === 0 ? '0' : duration(t * span * 1000)}
              </span>
            ))}
          </span>
        </div>
        <ul className="waterfall-rows" aria-label="Spans">
          {rows.map(({ span: s, depth }) => (
            <Row
              key={s.event_id}
              span={s}
              depth={depth}
              left={share(s.start_timestamp)}
              width={Math.max(share(s.end_timestamp) - share(s.start_timestamp), 0)}
              open={!collapsed.has(s.event_id)}
              selected={selected === s.event_id}
              rowRef={selected === s.event_id ? selectedRow : undefined}
              onToggle={onToggle}
              onSelect={onSelect}
              issuePath={issuePath}
            />
          ))}
        </ul>
      </div>
    </div>
  );
}

function Row({
  span,
  depth,
  left,
  width,
  open,
  selected,
  rowRef,
  onToggle,
  onSelect,
  issuePath,
}: {
  span: TraceSpan;
  depth: number;
  left: number;
  width: number;
  open: boolean;
  selected: boolean;
  rowRef: React.RefObject<HTMLLIElement | null> | undefined;
  onToggle: (spanId: string) => void;
  onSelect: (spanId: string) => void;
  issuePath: (issueId: number, eventId: string) => string;
}) {
  const label = span.description || span.name || span.op || span.event_id;
  // The duration goes inside a wide bar, else after it, else (near the end) before it.
  const place = width >= 20 ? 'inside' : left + width <= 85 ? 'after' : 'before';
  const placeStyle =
    place === 'inside'
      ? { right: `${100 - left - width}%` }
      : place === 'after'
        ? { left: `${left + width}%` }
        : { right: `${100 - left}%` };
  const [firstError] = span.errors;
  return (
    <li
      ref={rowRef}
      className={`span-row${selected ? ' selected' : ''}${span.errors.length > 0 ? ' has-errors' : ''}`}
      data-span-id={span.event_id}
      data-depth={depth}
    >
      <div className="span-label" style={{ paddingLeft: `${depth * 0.85}rem` }}>
        {span.children.length > 0 ? (
          <button
            type="button"
            className="span-toggle"
            aria-expanded={open}
            aria-label={`${open ? 'Collapse' : 'Expand'} ${span.op || 'span'} ${label}`}
            onClick={() => onToggle(span.event_id)}
          >
            {open ? '▾' : '▸'}
            <span className="span-child-count">{span.children.length}</span>
          </button>
        ) : (
          <span className="span-toggle-spacer" aria-hidden="true" />
        )}
        <button
          type="button"
          className="span-name link-button"
          aria-pressed={selected}
          title={`${span.op} — ${label}`}
          onClick={() => onSelect(span.event_id)}
        >
          <span className="span-op">{span.op || 'span'}</span>{' '}
          <span className="span-description">{label}</span>
        </button>
        <span className="span-project">{span.project_slug}</span>
        {firstError && (
          <Link
            className="span-error badge level-error"
            to={issuePath(firstError.issue_id, firstError.event_id)}
            title={span.errors.map((e) => e.description).join('\n')}
          >
            {span.errors.length === 1 ? '1 error' : `${span.errors.length} errors`}
          </Link>
        )}
      </div>
      <div className="span-timeline">
        <span
          className={`span-bar${span.is_transaction ? ' transaction' : ''}`}
          style={{ left: `${left}%`, width: `${width}%` }}
        />
        <span className={`span-duration ${place}`} style={placeStyle}>
          {duration(span.duration)}
        </span>
      </div>
    </li>
  );
}
