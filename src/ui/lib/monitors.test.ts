import { describe, expect, it } from 'vitest';
import { duration, scheduleInWords, stateOf } from './monitors.js';
import type { Monitor } from './types.js';

const config = (schedule: Monitor['config']['schedule'], timezone: string | null = 'UTC') =>
  ({
    schedule_type: Array.isArray(schedule) ? 'interval' : 'crontab',
    schedule,
    checkin_margin: null,
    max_runtime: null,
    timezone,
    failure_issue_threshold: null,
    recovery_threshold: null,
  }) as Monitor['config'];

describe('scheduleInWords', () => {
  it.each([
    ['*/5 * * * *', 'Every 5 minutes'],
    ['0 * * * *', 'Every hour'],
    ['0 3 * * 1-5', 'At 03:00, Monday through Friday'],
    ['30 2 1 * *', 'At 02:30, on day 1 of the month'],
    ['@daily', 'At 00:00'],
  ])('reads the crontab %s', (crontab, words) => {
    expect(scheduleInWords(config(crontab))).toBe(words);
  });

  it.each([
    [[1, 'hour'], 'Every hour'],
    [[2, 'day'], 'Every 2 days'],
    [[30, 'minute'], 'Every 30 minutes'],
  ] as const)('reads the interval %j', (interval, words) => {
    expect(scheduleInWords(config([...interval]))).toBe(words);
  });

  it('names a time zone other than UTC', () => {
    expect(scheduleInWords(config('0 * * * *', 'Europe/Berlin'))).toBe('Every hour (Europe/Berlin)');
    expect(scheduleInWords(config([1, 'week'], null))).toBe('Every week');
  });

  it('shows a crontab it cannot read as it is', () => {
    expect(scheduleInWords(config('61 * * * *'))).toBe('61 * * * *');
  });
});

describe('stateOf', () => {
  const active = { status: 'active' as const };
  it('says disabled first, then waiting before the first run', () => {
    expect(stateOf({ status: 'disabled' }, { status: 'error' }, { status: 'missed' })).toBe('disabled');
    expect(stateOf(active, { status: 'active' }, undefined)).toBe('waiting');
  });

  it('names how an environment failed by its newest run', () => {
    for (const status of ['ok', 'error', 'missed', 'timeout'] as const) {
      expect(stateOf(active, { status: status === 'ok' ? 'ok' : 'error' }, { status })).toBe(status);
    }
    expect(stateOf(active, { status: 'ok' }, { status: 'in_progress' })).toBe('in progress');
    expect(stateOf(active, { status: 'error' }, undefined)).toBe('error');
  });
});

describe('duration', () => {
  it.each([
    [null, '—'],
    [0, '0 ms'],
    [999, '999 ms'],
    [1530, '1.5 s'],
    [42_000, '42 s'],
    [60_000, '1 min'],
    [125_000, '2 min 5 s'],
    [3_600_000, '1 h'],
    [5_580_000, '1 h 33 min'],
  ])('%s ms reads %s', (ms, words) => {
    expect(duration(ms)).toBe(words);
  });
});
