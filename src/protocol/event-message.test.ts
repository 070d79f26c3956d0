import { describe, expect, it } from 'vitest';
import { formatMessage, MAX_MESSAGE_LENGTH, normalizeMessage } from './event-message.js';
import type { EventProblem } from './normalized-event.js';

describe('formatMessage', () => {
  it.each<[string, unknown[] | Record<string, unknown>, string]>([
    ['order %s failed after %d tries', ['A-1', 3], 'order A-1 failed after 3 tries'],
    ['%s and %s', ['one'], 'one and %s'],
    ['100%% of %s', ['x'], '100% of x'],
    ['%r %f %i', [null, 1.5, true], 'null 1.5 true'],
    ['obj %s', [{ a: 1 }], 'obj {"a":1}'],
    ['no placeholders', ['unused'], 'no placeholders'],
    ['%(user)s paid %(amount)d', { user: 'ada', amount: 5 }, 'ada paid 5'],
    ['{user} paid {missing}', { user: 'ada' }, 'ada paid {missing}'],
    ['{toString}', {}, '{toString}'],
  ])('%j with %j', (template, params, expected) => {
    expect(formatMessage(template, params)).toBe(expected);
  });
});

describe('normalizeMessage', () => {
  it.each<[string, Record<string, unknown>, unknown]>([
    ['none', {}, undefined],
    ['plain string message (JS, Python capture_message)', { message: 'hi' }, { formatted: 'hi' }],
    ['empty string message', { message: '' }, undefined],
    [
      'logentry with params and no formatted (Python logging)',
      { logentry: { message: 'order %s failed after %d tries', params: ['A-1', 3] } },
      {
        formatted: 'order A-1 failed after 3 tries',
        template: 'order %s failed after %d tries',
        params: ['A-1', 3],
      },
    ],
    [
      'logentry message only (sentry-cli)',
      { logentry: { message: 'hello' } },
      { formatted: 'hello', template: 'hello' },
    ],
    [
      'logentry formatted wins over filling',
      { logentry: { message: 'a %s', params: ['b'], formatted: 'sent' } },
      { formatted: 'sent', template: 'a %s', params: ['b'] },
    ],
    ['logentry beats message', { logentry: { formatted: 'x' }, message: 'y' }, { formatted: 'x' }],
    ['legacy alias', { 'sentry.interfaces.Message': { message: 'm' } }, { formatted: 'm', template: 'm' }],
    ['message as object', { message: { formatted: 'f' } }, { formatted: 'f' }],
    ['empty logentry falls through to message', { logentry: {}, message: 'y' }, { formatted: 'y' }],
    ['numeric message in logentry', { logentry: { message: 42 } }, { formatted: '42', template: '42' }],
    ['message of wrong type', { message: ['x'] }, undefined],
  ])('%s', (_name, data, expected) => {
    expect(normalizeMessage(data, [])).toEqual(expected);
  });

  it('cuts long text and reports it', () => {
    const problems: EventProblem[] = [];
    const message = normalizeMessage({ message: 'x'.repeat(MAX_MESSAGE_LENGTH + 1) }, problems);
    expect(message?.formatted).toHaveLength(MAX_MESSAGE_LENGTH);
    expect(problems).toEqual([{ type: 'value_too_long', name: 'message' }]);
  });
});
