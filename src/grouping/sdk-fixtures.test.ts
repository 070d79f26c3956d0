import { describe, expect, it } from 'vitest';
import { type FixtureSdk, loadFixture } from '../../test/fixtures/load.js';
import { deriveIssueSummary } from './issue-summary.js';
import { computeGrouping } from './mechanisms.js';

// Events captured from real SDKs (test/fixtures/README.md), grouped and summarized as they arrive.

type Event = Record<string, unknown>;

/** The event items of an envelope, or the one event of a store body (enough for these fixtures). */
function eventsIn(body: Buffer, isStore: boolean): Event[] {
  if (isStore) return [JSON.parse(body.toString('utf8')) as Event];
  const lineEnd = (from: number) => {
    const end = body.indexOf(0x0a, from);
    return end === -1 ? body.length : end;
  };
  const events: Event[] = [];
  let offset = lineEnd(0) + 1;
  while (offset < body.length) {
    const headerEnd = lineEnd(offset);
    const header = JSON.parse(body.subarray(offset, headerEnd).toString('utf8')) as {
      type?: string;
      length?: number;
    };
    offset = headerEnd + 1;
    const end = typeof header.length === 'number' ? offset + header.length : lineEnd(offset);
    if (header.type === 'event')
      events.push(JSON.parse(body.subarray(offset, end).toString('utf8')) as Event);
    offset = end + 1;
  }
  return events;
}

function fixtureEvent(sdk: FixtureSdk, name: string): Event {
  const fixture = loadFixture(sdk, name);
  const [event] = eventsIn(fixture.body, fixture.url.includes('/store/'));
  if (event === undefined) throw new Error(`no event in ${sdk}/${name}`);
  return event;
}

/** A deep copy with every frame's line and column moved, as after an unrelated edit above. */
function shiftLines(event: Event): Event {
  return JSON.parse(JSON.stringify(event), (key, value) =>
    (key === 'lineno' || key === 'colno') && typeof value === 'number' ? value + 7 : value,
  ) as Event;
}

/** A deep copy without any `in_app` flag, as from an SDK that does not set it. */
function withoutInApp(event: Event): Event {
  return JSON.parse(JSON.stringify(event), (key, value) => (key === 'in_app' ? undefined : value)) as Event;
}

describe('grouping real SDK events', () => {
  it.each<
    [FixtureSdk, string, { variant: string; hashes: number; type: string; title: string; culprit: string }]
  >([
    [
      'node',
      'exception-with-cause.event',
      {
        variant: 'stacktrace',
        hashes: 2,
        type: 'error',
        title: 'Error: could not parse order',
        culprit: 'parseOrder(node-sdk)',
      },
    ],
    [
      'node',
      'attachment.event+attachment',
      {
        variant: 'stacktrace',
        hashes: 2,
        type: 'error',
        title: 'RangeError: quantity out of range',
        culprit: '?(node-sdk)',
      },
    ],
    // captureMessage sends a synthetic exception without a type: Sentry titles such events by the
    // crash function too, and groups them by the call site's frames rather than by the text.
    [
      'node',
      'message.event',
      { variant: 'stacktrace', hashes: 2, type: 'error', title: 'payment provider slow', culprit: '' },
    ],
    [
      'python',
      'exception-with-cause.store',
      {
        variant: 'stacktrace',
        hashes: 1,
        type: 'error',
        title: 'ValueError: bad order line',
        culprit: '__main__ in order_total',
      },
    ],
    [
      'python',
      'attachment.event+attachment',
      {
        variant: 'stacktrace',
        hashes: 1,
        type: 'error',
        title: 'RuntimeError: quantity out of range',
        culprit: '__main__ in <module>',
      },
    ],
    [
      'python',
      'message.store',
      { variant: 'message', hashes: 1, type: 'default', title: 'payment provider slow', culprit: '' },
    ],
    // No `formatted` in the payload: the protocol layer formats the params (reference §5.4) before
    // the title is derived; grouping uses the template either way.
    [
      'python',
      'logging-message.store',
      {
        variant: 'message',
        hashes: 1,
        type: 'default',
        title: 'order %s failed after %d tries',
        culprit: '',
      },
    ],
    [
      'sentry-cli',
      'send-event-hello.event',
      { variant: 'message', hashes: 1, type: 'default', title: 'hello', culprit: '' },
    ],
    [
      'sentry-cli',
      'send-event-with-args.event',
      { variant: 'custom-fingerprint', hashes: 1, type: 'default', title: 'order %s failed', culprit: '' },
    ],
  ])('%s %s', (sdk, name, expected) => {
    const event = fixtureEvent(sdk, name);
    const grouping = computeGrouping(event);
    const summary = deriveIssueSummary(event);
    expect({
      variant: grouping.variant,
      hashes: grouping.hashes.length,
      type: summary.type,
      title: summary.title,
      culprit: summary.culprit,
    }).toEqual(expected);
    expect(computeGrouping(shiftLines(event))).toEqual(grouping);
    const secondary = grouping.hashes.at(-1);
    expect(computeGrouping(withoutInApp(event)).hashes).toContain(secondary);
  });

  it('keeps the Node and Python chained errors and the two messages apart', () => {
    const hashes = [
      ['node', 'exception-with-cause.event'],
      ['node', 'attachment.event+attachment'],
      ['python', 'exception-with-cause.store'],
      ['python', 'message.store'],
      ['python', 'logging-message.store'],
      ['sentry-cli', 'send-event-hello.event'],
    ].map(([sdk, name]) => computeGrouping(fixtureEvent(sdk as FixtureSdk, name!)).hashes[0]);
    expect(new Set(hashes).size).toBe(hashes.length);
  });
});
