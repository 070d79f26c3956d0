import { describe, expect, it } from 'vitest';
import { LINEAR_GROWTH_BOUND, linearGrowth } from '../../test/support/growth.js';
import { MAX_MESSAGE_LENGTH } from '../protocol/event-message.js';
import { normalizeMessage, parameterize } from './parameterize.js';

describe('parameterize', () => {
  it.each([
    // int and float
    ['Order 1234 failed', 'Order <int> failed'],
    ['retry -3 of 5', 'retry <int> of <int>'],
    ['ratio 0.75 exceeded 1e-3', 'ratio <float> exceeded <float>'],
    ['failed after 3.', 'failed after <int>.'],
    ['id-123, #45, (67), user/89/edit', 'id-<int>, #<int>, (<int>), user/<int>/edit'],
    ['user_123 v2 abc123 123abc', 'user_123 v2 abc123 123abc'],
    ['version 1.2.3', 'version 1.2.3'],
    // ids
    ['User 550e8400-e29b-41d4-a716-446655440000 not found', 'User <uuid> not found'],
    ['User 550E8400-E29B-41D4-A716-446655440000 not found', 'User <uuid> not found'],
    ['commit da39a3ee5e6b4b0d3255bfef95601890afd80709', 'commit <sha1>'],
    ['etag d41d8cd98f00b204e9800998ecf8427e', 'etag <md5>'],
    ['segfault at 0x7ffd5fbff8a0', 'segfault at <hex>'],
    ['code 0XDEADBEEF', 'code <hex>'],
    // addresses
    ['mail to bob.smith+tag@mail.example.co.uk bounced', 'mail to <email> bounced'],
    ['GET https://api.example.com/v1/users/42?x=1 failed', 'GET <url> failed'],
    ['ws://localhost:8080/socket closed', '<url> closed'],
    ['connect ECONNREFUSED 127.0.0.1:5432', 'connect ECONNREFUSED <ip>:<int>'],
    ['peer 2001:db8:85a3:0:0:8a2e:370:7334 reset', 'peer <ip> reset'],
    ['peer fe80::1ff:fe23:4567:890a reset', 'peer <ip> reset'],
    ['listen on ::1 failed', 'listen on <ip> failed'],
    ['getaddrinfo ENOTFOUND db.internal.example.com', 'getaddrinfo ENOTFOUND <hostname>'],
    // not addresses
    ['std::vector, Foo::Bar, abc::def', 'std::vector, Foo::Bar, abc::def'],
    ['module.exports is not a function in index.js', 'module.exports is not a function in index.js'],
    // dates and durations
    ['at 2024-01-15T10:00:00.123Z', 'at <date>'],
    ['at 2024-01-15 10:00:00+02:00', 'at <date>'],
    ['on 2024-01-15', 'on <date>'],
    ['at Mon, 15 Jan 2024 10:00:00 +0000 sharp', 'at <date> sharp'],
    ['at Mon Jan 15 2024 10:00:00 GMT+0000 (Coordinated Universal Time).', 'at <date>.'],
    ['[15/Jan/2024:10:00:00 +0000] GET', '[<date>] GET'],
    ['cron at 10:00:00 missed', 'cron at <date> missed'],
    [
      'timed out after 30s, 1.5s, 250ms, 5 seconds',
      'timed out after <duration>, <duration>, <duration>, <duration>',
    ],
    // quoted strings and booleans
    [
      "Cannot read properties of undefined (reading 'id')",
      'Cannot read properties of undefined (reading <quoted_str>)',
    ],
    ['KeyError: "user_id"', 'KeyError: <quoted_str>'],
    ["can't find user's profile", "can't find user's profile"],
    ['expected true, got False', 'expected <bool>, got <bool>'],
    ['isTrue untrue', 'isTrue untrue'],
    // several at once, earliest pattern first
    ['Order 1234 failed for bob@x.io', 'Order <int> failed for <email>'],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(parameterize(input)).toBe(expected);
  });

  // The patterns claim to stay linear in the message's length (see parameterize.ts): twice the
  // message, about twice the time, up to the longest message an event keeps.
  it.each([
    ['digits', (n: number) => '1'.repeat(n)],
    ['letters', (n: number) => 'a'.repeat(n)],
    ['email-like run without @', (n: number) => 'a.'.repeat(n / 2)],
    ['colons', (n: number) => '1:'.repeat(n / 2)],
    ['unclosed date parens', (n: number) => 'Mon Jan 1 2024 10:00:00 ('.repeat(Math.round(n / 25))],
    ['quotes', (n: number) => "'".repeat(n)],
  ])('takes time linear in the length of a hostile message: %s', (name, make) => {
    const { ratio, ratios } = linearGrowth(make, parameterize, MAX_MESSAGE_LENGTH / 2);
    expect(
      ratio,
      `${name}: time(2n) / time(n) measured ${ratios.map((r) => r.toFixed(2)).join(', ')}`,
    ).toBeLessThanOrEqual(LINEAR_GROWTH_BOUND);
  });
});

describe('normalizeMessage', () => {
  it.each([
    ['Timeout after 30s', 'Timeout after <duration>'],
    ['  padded 1  ', 'padded <int>'],
    ['line one 1\nline two 2', 'line one <int>\nline two <int>'],
    ['line one\n\n   \nline two\nline three\nline four', 'line one\nline two...'],
    ['one\r\ntwo\r\n', 'one\ntwo'],
    ['\n\n', ''],
  ])('%j → %j', (input, expected) => {
    expect(normalizeMessage(input)).toBe(expected);
  });
});
