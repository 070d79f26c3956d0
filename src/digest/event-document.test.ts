import { describe, expect, it } from 'vitest';
import { FIXTURE_SDKS, loadFixtures } from '../../test/fixtures/load.js';
import { decompressDocument } from '../lib/compression.js';
import { parseEnvelope } from '../protocol/envelope.js';
import { normalizeEvent } from '../protocol/event-normalize.js';
import { completeRecord, eventDocument, prepareEvent, recordOf } from './digest-event.js';

const options = { receivedAt: Date.parse('2026-11-28T17:24:28Z'), clientIp: '203.0.113.9' };

/** The document both ways: appended to the payload's own text, and the whole event serialized. */
function both(text: string) {
  const prepared = prepareEvent(normalizeEvent(JSON.parse(text), options));
  return { appended: eventDocument(prepared, text), serialized: eventDocument(prepared) };
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

  it.each([
    ...payloads,
    ['non-ASCII text, a brace in a string', '{"message":"caf\u00e9 } \ud83d\ude00 ✓ }","extra":{"k":"}"}}\n'],
  ] as const)('is the same appended to the payload bytes as to its text: %s', (_name, text) => {
    const prepared = prepareEvent(normalizeEvent(JSON.parse(text), options));
    const deferred = recordOf(prepared, text, true);
    const { data } = completeRecord(deferred, Buffer.from(text, 'utf8')).row;
    const stored = typeof data === 'string' ? data : decompressDocument(data);
    expect(stored).toBe(eventDocument(prepared, text));
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
    const drifted = prepareEvent(
      normalizeEvent(JSON.parse(text), { ...options, sentAt: '2026-11-28T15:24:28Z' }),
    );
    const document = JSON.parse(eventDocument(drifted, text));
    expect(document.timestamp).toBe(Date.parse('2026-11-28T17:24:00Z') / 1000);
    expect(document.breadcrumbs).toEqual({
      values: [{ timestamp: Date.parse('2026-11-28T17:20:00Z') / 1000, message: 'step' }],
    });
    const onTime = prepareEvent(
      normalizeEvent(JSON.parse(text), { ...options, sentAt: '2026-11-28T17:24:28Z' }),
    );
    expect(JSON.parse(eventDocument(onTime, text)).breadcrumbs).toEqual(JSON.parse(text).breadcrumbs);
  });
});
