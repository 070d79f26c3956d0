import { describe, expect, it } from 'vitest';
import type { TraceError, TraceSpanRow } from '../../store/region/traces.js';
import { type SerializedTraceItem, type SerializedTraceSpan, serializeTrace } from './trace.js';

// The trace's shape from its rows: parents that were never read, a span that names itself, and
// parents that lead round in a circle; every span is listed once, whatever its parent says.

const row = (spanId: string, parent: string | null, start: number): TraceSpanRow => ({
  projectId: 1,
  spanId,
  parentSpanId: parent,
  transactionEventId: null,
  op: 'op',
  description: spanId,
  status: 'ok',
  startTimestamp: start,
  timestamp: start + 10,
  data: JSON.stringify({ name: spanId, is_segment: parent === null, attributes: {} }),
});

const context = {
  slugs: new Map([[1, 'web']]),
  shortId: (s: string, n: number) => `${s}-${n}`,
  attributes: [],
};

/** `id(child id, …)` for each item, in order. */
function shape(items: readonly SerializedTraceItem[]): string[] {
  return items.map((i) =>
    i.event_type === 'span' && (i as SerializedTraceSpan).children.length > 0
      ? `${i.event_id}(${shape((i as SerializedTraceSpan).children).join(',')})`
      : i.event_id,
  );
}

describe('serializeTrace', () => {
  it('nests children under their parents, earliest first, and roots spans whose parent was not read', () => {
    const spans = [
      row('a', null, 0),
      row('b', 'a', 1),
      row('c', 'missing', 2),
      row('d', 'a', 3),
      row('e', 'b', 4),
    ];
    expect(shape(serializeTrace(spans, [], [], context))).toEqual(['a(b(e),d)', 'c']);
  });

  it('lists a span that names itself as its parent, and every span of a circle, once', () => {
    const spans = [
      row('a', null, 0),
      row('self', 'self', 1),
      row('x', 'z', 2),
      row('y', 'x', 3),
      row('z', 'y', 4),
    ];
    expect(shape(serializeTrace(spans, [], [], context))).toEqual(['a', 'self', 'x(y(z))']);
  });

  it('puts errors on their span, and those of no read span after the spans', () => {
    const error = (eventId: string, spanId: string | null): TraceError => ({
      projectId: 1,
      eventId,
      timestamp: 5,
      level: 'error',
      title: 'Error: boom',
      transactionName: null,
      issueId: 7,
      shortId: 3,
      culprit: 'app.js',
      spanId,
    });
    const items = serializeTrace(
      [row('a', null, 0), row('b', 'a', 1)],
      [],
      [error('e1', 'b'), error('e2', 'gone'), error('e3', null)],
      context,
    );
    expect(shape(items)).toEqual(['a(b)', 'e2', 'e3']);
    const b = (items[0] as SerializedTraceSpan).children[0] as SerializedTraceSpan;
    expect(b.errors).toEqual([
      expect.objectContaining({ event_id: 'e1', short_id: 'web-3', issue_id: 7, project_slug: 'web' }),
    ]);
  });
});
