import { describe, expect, it } from 'vitest';
import { FIXTURE_SDKS, loadFixtures } from '../../test/fixtures/load.js';
import { loadConfig } from '../config/config.js';
import { eventRecordOf } from '../digest/digest-envelope.js';
import { completeRecord } from '../digest/digest-event.js';
import { decompressDocument } from '../lib/compression.js';
import { parseEnvelope } from '../protocol/envelope.js';
import { parseEventPayload } from '../protocol/event-normalize.js';
import { acceptEnvelope } from './accept-envelope.js';

const config = loadConfig({});
const envelopes = FIXTURE_SDKS.flatMap((sdk) => loadFixtures(sdk)).filter((f) =>
  f.url.includes('/envelope/'),
);

describe('acceptEnvelope hands digest the records it would compute itself', () => {
  it.each(envelopes.map((f) => [`${f.sdk}/${f.name}`, f] as const))('%s', (_name, fixture) => {
    const envelope = parseEnvelope(fixture.body);
    const received = { receivedAt: Date.parse('2026-11-28T17:24:28Z'), clientIp: '203.0.113.9' };
    const accepted = acceptEnvelope(envelope, config, received);
    // What digest computes from the stored raw envelope when nothing was handed over.
    const expected = new Map();
    for (const [index, item] of envelope.items.entries()) {
      if (item.headers.type !== 'event') continue;
      const record = eventRecordOf(
        parseEventPayload(item.payload),
        { ...received, eventId: accepted.eventId, sentAt: envelope.headers.sent_at },
        item.payload.toString('utf8'),
      );
      if (record) expected.set(index, record);
    }
    // Ingest leaves each document to complete from the payload (1 KB crosses to the writer, not 27),
    // which the writer packs for storage.
    const completed = new Map();
    for (const [index, record] of accepted.prepared) {
      expect(record.appendToPayload).toBeDefined();
      expect(record.row.data).toBe('');
      const { row, ...rest } = completeRecord(record, envelope.items[index]!.payload);
      const data = typeof row.data === 'string' ? row.data : decompressDocument(row.data);
      completed.set(index, { ...rest, row: { ...row, data } });
    }
    expect(completed).toEqual(expected);
  });

  it('covers envelopes with error events', () => {
    const withEvents = envelopes.filter(
      (f) =>
        acceptEnvelope(parseEnvelope(f.body), config, { receivedAt: 0, clientIp: null }).prepared.size > 0,
    );
    expect(withEvents.length).toBeGreaterThanOrEqual(5);
  });
});
