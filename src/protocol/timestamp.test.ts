import { describe, expect, it } from 'vitest';
import { boundTimestamp, clockDriftMs, DEFAULT_TIMESTAMP_BOUNDS, parseTimestamp } from './timestamp.js';

const T = 1304358096000; // 2011-05-02T17:41:36Z

describe('parseTimestamp', () => {
  it.each<[unknown, number]>([
    [1304358096, T],
    [1304358096.0, T],
    [1304358096.5, T + 500],
    [1304358096.123, T + 123], // float error: 1304358096.123 * 1000 is 1304358096122.9998
    [1795882626.2353308, 1795882626235],
    [0, 0],
    ['1304358096.25', T + 250],
    ['2011-05-02T17:41:36', T],
    ['2011-05-02T17:41:36Z', T],
    ['2011-05-02T17:41:36.000', T],
    ['2011-05-02t17:41:36z', T],
    ['2011-05-02 17:41:36Z', T],
    ['2011-05-02T17:41:36.184915Z', T + 185],
    ['2011-05-02T17:41:36.9996Z', T + 1000],
    ['2011-05-02T17:41:36,5Z', T + 500],
    ['2011-05-02T17:41Z', T - 36_000],
    ['2011-05-02T19:41:36+02:00', T],
    ['2011-05-02T19:41:36+0200', T],
    ['2011-05-02T19:41:36+02', T],
    ['2011-05-02T15:11:36-02:30', T],
    ['2011-05-02T17:41:36.123456+00:00', T + 123],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['2000-02-29T00:00:00Z', Date.UTC(2000, 1, 29)],
    ['2026-12-31T23:59:59.999Z', Date.UTC(2026, 11, 31, 23, 59, 59, 999)],
    ['0100-01-01T00:00:00Z', Date.UTC(100, 0, 1)],
  ])('%j → %d', (input, expected) => {
    expect(parseTimestamp(input)).toBe(expected);
  });

  it.each<[unknown]>([
    [undefined],
    [null],
    [true],
    [{}],
    [Number.NaN],
    [Number.POSITIVE_INFINITY],
    [-1],
    [1e20],
    [''],
    ['yesterday'],
    ['2011-05-02'],
    ['2011-05-02T17:41:36 Z'],
    ['2011-05-02T17:41:36+2:00'],
    ['2023-02-29T00:00:00Z'],
    ['1900-02-29T00:00:00Z'],
    ['2026-04-31T00:00:00Z'],
    ['2026-00-10T00:00:00Z'],
    ['2026-01-00T00:00:00Z'],
    ['0099-01-01T00:00:00Z'],
    ['2011-05-02T17:60:00Z'],
    ['2011-13-02T17:41:36Z'],
    ['2011-05-02T24:00:00Z'],
    ['2011-05-02T17:41:60Z'],
    ['-1304358096'],
  ])('rejects %j', (input) => {
    expect(parseTimestamp(input)).toBeUndefined();
  });
});

describe('clockDriftMs', () => {
  const received = Date.parse('2024-01-01T12:00:00Z');
  it.each<[string, unknown, number]>([
    ['client two hours behind', '2024-01-01T10:00:00Z', 7_200_000],
    ['client two hours ahead', '2024-01-01T14:00:00Z', -7_200_000],
    ['one minute is delay, not drift', '2024-01-01T11:59:00Z', 0],
    ['just under the threshold', '2024-01-01T11:05:00.001Z', 0],
    ['at the threshold', '2024-01-01T11:05:00Z', 55 * 60_000],
    ['missing sent_at', undefined, 0],
    ['unreadable sent_at', 'soon', 0],
  ])('%s', (_name, sentAt, expected) => {
    expect(clockDriftMs(sentAt, received)).toBe(expected);
  });
});

describe('boundTimestamp', () => {
  const received = T;
  const { maxFutureMs, maxPastMs } = DEFAULT_TIMESTAMP_BOUNDS;
  it.each<[string, number, ReturnType<typeof boundTimestamp>]>([
    ['now', received, { timestamp: received }],
    ['at the future bound', received + maxFutureMs, { timestamp: received + maxFutureMs }],
    [
      'past the future bound',
      received + maxFutureMs + 1,
      { timestamp: received, problem: 'future_timestamp' },
    ],
    ['at the past bound', received - maxPastMs, { timestamp: received - maxPastMs }],
    ['past the past bound', received - maxPastMs - 1, { timestamp: received, problem: 'past_timestamp' }],
  ])('%s', (_name, timestamp, expected) => {
    expect(boundTimestamp(timestamp, received)).toEqual(expected);
  });
});
