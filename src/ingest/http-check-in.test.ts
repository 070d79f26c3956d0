import { describe, expect, it } from 'vitest';
import { NIL_CHECK_IN_ID } from '../protocol/check-in.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import { httpCheckIn } from './http-check-in.js';

const query = (text: string) => new URLSearchParams(text);
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('httpCheckIn', () => {
  it('reads the query, the slug from the path, and the nil id when none is sent', () => {
    expect(httpCheckIn('nightly', query('status=ok&environment=dev&duration=1.5'), null)).toEqual({
      check_in_id: NIL_CHECK_IN_ID,
      monitor_slug: 'nightly',
      status: 'ok',
      environment: 'dev',
      duration: 1.5,
    });
  });

  it('reads a duration as a number of seconds in any form a number takes', () => {
    expect(httpCheckIn('nightly', query('status=ok&duration=1e3'), null).duration).toBe(1000);
  });

  it('reads a JSON body with its config instead of the query, the path slug winning', () => {
    const config = { schedule: { type: 'interval', value: 2, unit: 'hour' } };
    const id = 'ab'.repeat(16);
    expect(
      httpCheckIn(
        'nightly',
        query('status=error'),
        json({ status: 'in_progress', check_in_id: id, monitor_slug: 'other', monitor_config: config }),
      ),
    ).toEqual({ check_in_id: id, monitor_slug: 'nightly', status: 'in_progress', monitor_config: config });
  });

  it.each([
    ['no status', 'nightly', query(''), null, 'invalid check-in: status is required'],
    ['an unknown status', 'nightly', query('status=paused'), null, /unknown status "paused"/],
    ['a duration that is no number', 'nightly', query('status=ok&duration=soon'), null, /duration/],
    ['a negative duration', 'nightly', query('status=ok&duration=-1'), null, /duration/],
    ['a malformed id', 'nightly', query('status=ok&check_in_id=x'), null, /check_in_id must be a UUID/],
    ['a slug of 200 characters', 'x'.repeat(200), query('status=ok'), null, /longer than 50/],
    [
      'a body that is not JSON',
      'nightly',
      query(''),
      Buffer.from('{'),
      'invalid check-in: the body is not JSON',
    ],
    ['a body that is a list', 'nightly', query(''), json([]), 'invalid check-in: not a JSON object'],
    [
      'an invalid schedule',
      'nightly',
      query(''),
      json({ status: 'ok', monitor_config: { schedule: { type: 'crontab', value: '* *' } } }),
      /not a five-field crontab/,
    ],
  ])('refuses %s', (_, slug, q, body, message) => {
    expect(() => httpCheckIn(slug, q, body)).toThrow(ProtocolError);
    expect(() => httpCheckIn(slug, q, body)).toThrow(message);
  });
});
