import { describe, expect, it } from 'vitest';
import { FIXTURE_SDKS, loadFixtures } from '../../test/fixtures/load.js';
import { decompressDocument } from '../lib/compression.js';
import { parseEnvelope } from '../protocol/envelope.js';
import { type NormalizeOptions, normalizeEvent } from '../protocol/event-normalize.js';
import { groupEvent } from './group-event.js';

// One event id for both ways: an event that names none gets a new one each time.
const options = {
  receivedAt: Date.parse('2026-11-28T17:24:28Z'),
  clientIp: '203.0.113.9',
  eventId: 'f'.repeat(32),
};

/** The stored document of an event, appended to its payload's bytes or (without them) serialized whole. */
function stored(text: string, normalize: NormalizeOptions = options, appended = true): string {
  const event = normalizeEvent(JSON.parse(text), normalize);
  const { data } = groupEvent(1, event, appended ? Buffer.from(text, 'utf8') : undefined).row;
  return typeof data === 'string' ? data : decompressDocument(data);
}

/** The document both ways. */
function both(text: string) {
  return { appended: stored(text), serialized: stored(text, options, false) };
}

const payloads = FIXTURE_SDKS.flatMap((sdk) => loadFixtures(sdk)).flatMap((f) =>
  f.url.includes('/store/')
    ? [[`${f.sdk}/${f.name}`, f.body.toString('utf8')] as const]
    : parseEnvelope(f.body)
        .items.filter((i) => i.headers.type === 'event')
        .map((i) => [`${f.sdk}/${f.name}`, i.payload.toString('utf8')] as const),
);

describe('the stored event document, appended to the payload as sent', () => {
  it.each(payloads)('reads the same as the whole event serialized: %s', (_name, text) => {
    const { appended, serialized } = both(text);
    expect(appended).not.toBe(serialized);
    expect(JSON.parse(appended)).toEqual(JSON.parse(serialized));
  });

  it('covers the SDKs', () => {
    expect(payloads.length).toBeGreaterThanOrEqual(5);
  });

  it('hides what Errata decided against: a user that is no user, a level it does not know', () => {
    const text = '{ "message": "boom", "user": "not an object", "level": "loud", "tags": 7 }\n';
    const document = JSON.parse(both(text).appended);
    expect(document).toMatchObject({
      message: 'boom',
      user: null,
      level: 'error',
      tags: [['level', 'error']],
    });
  });

  it('appends after the last brace, whatever characters come before it', () => {
    const text = '{"message":"caf\u00e9 } \ud83d\ude00 ✓ }","extra":{"k":"}"}}\n';
    const { appended, serialized } = both(text);
    expect(JSON.parse(appended)).toEqual(JSON.parse(serialized));
    expect(JSON.parse(appended).message).toBe('café } 😀 ✓ }');
  });

  it('writes the whole document when the payload has no field of its own', () => {
    const { appended, serialized } = both('{}');
    expect(appended).toBe(serialized);
  });

  it("moves the breadcrumbs' times by the clock drift it corrected the event's by, and only then", () => {
    const text = JSON.stringify({
      message: 'late clock',
      timestamp: '2026-11-28T15:24:00Z',
      breadcrumbs: { values: [{ timestamp: '2026-11-28T15:20:00Z', message: 'step' }] },
    });
    const document = JSON.parse(stored(text, { ...options, sentAt: '2026-11-28T15:24:28Z' }));
    expect(document.timestamp).toBe(Date.parse('2026-11-28T17:24:00Z') / 1000);
    expect(document.breadcrumbs).toEqual({
      values: [{ timestamp: Date.parse('2026-11-28T17:20:00Z') / 1000, message: 'step' }],
    });
    const onTime = stored(text, { ...options, sentAt: '2026-11-28T17:24:28Z' });
    expect(JSON.parse(onTime).breadcrumbs).toEqual(JSON.parse(text).breadcrumbs);
  });
});
