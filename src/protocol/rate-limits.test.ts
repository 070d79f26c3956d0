import { describe, expect, it } from 'vitest';
import {
  dataCategoryForItemType,
  formatRateLimits,
  type RateLimit,
  retryAfterHeader,
} from './rate-limits.js';

describe('formatRateLimits', () => {
  it.each<[string, RateLimit[], string]>([
    ['no limits', [], ''],
    [
      'all categories',
      [{ retryAfterSeconds: 60, categories: [], scope: 'organization' }],
      '60::organization',
    ],
    [
      'two limits, Relay spacing',
      [
        { retryAfterSeconds: 60, categories: ['transaction'], scope: 'key' },
        { retryAfterSeconds: 2700, categories: ['default', 'error', 'security'], scope: 'organization' },
      ],
      '60:transaction:key, 2700:default;error;security:organization',
    ],
    [
      'reason code',
      [
        {
          retryAfterSeconds: 60,
          categories: ['error', 'default'],
          scope: 'organization',
          reasonCode: 'quota_exceeded',
        },
      ],
      '60:error;default:organization:quota_exceeded',
    ],
    [
      'namespaces with reason',
      [
        {
          retryAfterSeconds: 2700,
          categories: ['metric_bucket'],
          scope: 'organization',
          reasonCode: 'quota_exceeded',
          namespaces: ['custom'],
        },
      ],
      '2700:metric_bucket:organization:quota_exceeded:custom',
    ],
    [
      'namespaces without reason leave an empty reason field',
      [
        {
          retryAfterSeconds: 1,
          categories: ['metric_bucket'],
          scope: 'project',
          namespaces: ['custom', 'spans'],
        },
      ],
      '1:metric_bucket:project::custom;spans',
    ],
    [
      'fractional seconds round up',
      [{ retryAfterSeconds: 0.2, categories: ['span'], scope: 'key' }],
      '1:span:key',
    ],
  ])('%s', (_name, limits, expected) => {
    expect(formatRateLimits(limits)).toBe(expected);
  });

  it.each<[string, RateLimit]>([
    ['negative seconds', { retryAfterSeconds: -1, categories: [], scope: 'key' }],
    ['NaN seconds', { retryAfterSeconds: Number.NaN, categories: [], scope: 'key' }],
    ['reason with a colon', { retryAfterSeconds: 1, categories: [], scope: 'key', reasonCode: 'a:b' }],
    ['namespace with a comma', { retryAfterSeconds: 1, categories: [], scope: 'key', namespaces: ['a,b'] }],
  ])('rejects %s', (_name, limit) => {
    expect(() => formatRateLimits([limit])).toThrow(RangeError);
  });
});

describe('retryAfterHeader', () => {
  it.each<[RateLimit[], string]>([
    [[], '0'],
    [
      [
        { retryAfterSeconds: 60, categories: [], scope: 'key' },
        { retryAfterSeconds: 120.5, categories: ['error'], scope: 'project' },
      ],
      '121',
    ],
  ])('%j → %s', (limits, expected) => {
    expect(retryAfterHeader(limits)).toBe(expected);
  });
});

describe('dataCategoryForItemType', () => {
  it.each([
    ['event', 'error'],
    ['transaction', 'transaction'],
    ['attachment', 'attachment'],
    ['session', 'session'],
    ['sessions', 'session'],
    ['client_report', 'internal'],
    ['user_report', 'default'],
    ['feedback', 'feedback'],
    ['check_in', 'monitor'],
    ['replay_recording', 'replay'],
    ['log', 'log_item'],
    ['span', 'span'],
    ['trace_metric', 'trace_metric'],
    ['toString', undefined],
    ['something_new', undefined],
  ])('%s → %s', (itemType, expected) => {
    expect(dataCategoryForItemType(itemType)).toBe(expected);
  });
});
