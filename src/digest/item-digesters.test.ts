import { describe, expect, it } from 'vitest';
import { digesterOf, ITEM_DIGESTERS } from './item-digesters.js';

describe('ITEM_DIGESTERS', () => {
  it('has a digester for every item type besides event', () => {
    expect(Object.keys(ITEM_DIGESTERS).sort()).toEqual([
      'attachment',
      'check_in',
      'client_report',
      'feedback',
      'log',
      'session',
      'sessions',
      'span',
      'transaction',
      'user_report',
    ]);
  });

  it.each(['event', 'constructor', 'toString', '__proto__', 'hasOwnProperty'])('has none for %s', (type) => {
    expect(digesterOf(type)).toBeUndefined();
  });

  it('cannot be changed', () => {
    expect(Object.isFrozen(ITEM_DIGESTERS)).toBe(true);
  });
});
