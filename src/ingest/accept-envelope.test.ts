import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import { parseEnvelope } from '../protocol/envelope.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import { acceptEnvelope, acceptStoreBody } from './accept-envelope.js';

const config = loadConfig({
  ERRATA_INGEST_MAX_EVENT_BYTES: '2048',
  ERRATA_INGEST_MAX_ATTACHMENT_BYTES: '4096',
});
const ID = 'a'.repeat(32);
const OTHER = 'b'.repeat(32);

function envelope(header: object, ...items: [object, string][]) {
  const lines = [JSON.stringify(header), ...items.flatMap(([h, p]) => [JSON.stringify(h), p])];
  return parseEnvelope(Buffer.from(lines.join('\n')));
}

describe('acceptEnvelope', () => {
  it('answers with the header id, else the event item id, else a new one for a counted item', () => {
    const event = (id?: string) =>
      [{ type: 'event' }, JSON.stringify(id ? { event_id: id } : {})] as [object, string];
    expect(acceptEnvelope(envelope({ event_id: ID }, event(OTHER)), config)).toEqual({
      eventId: ID,
      counted: true,
    });
    expect(acceptEnvelope(envelope({}, event(OTHER)), config).eventId).toBe(OTHER);
    expect(acceptEnvelope(envelope({}, event()), config).eventId).toMatch(/^[0-9a-f]{32}$/);
    expect(acceptEnvelope(envelope({}, [{ type: 'session' }, '{}']), config)).toEqual({
      eventId: null,
      counted: false,
    });
  });

  it('refuses a malformed event id and items past their size limit', () => {
    expect(() => acceptEnvelope(envelope({ event_id: 'nope' }), config)).toThrow();
    expect(() =>
      acceptEnvelope(envelope({}, [{ type: 'event' }, JSON.stringify({ event_id: 'x' })]), config),
    ).toThrow();
    const big = (type: string, bytes: number) => [{ type }, `"${'x'.repeat(bytes)}"`] as [object, string];
    expect(() => acceptEnvelope(envelope({}, big('span', 3000)), config)).toThrow(/size limits/);
    expect(() => acceptEnvelope(envelope({}, big('attachment', 5000)), config)).toThrow(/size limits/);
    expect(acceptEnvelope(envelope({}, big('attachment', 3000)), config).counted).toBe(false);
    // A type Errata does not know is kept whatever its size, as digest skips it.
    expect(acceptEnvelope(envelope({}, big('profile', 5000)), config).counted).toBe(false);
  });

  it('refuses an envelope whose only substance is a broken event, and keeps one beside good items', () => {
    const broken = [{ type: 'event' }, '[1, 2]'] as [object, string];
    // The protocol error, which ingest answers with 400; its code is the invalid outcome's reason.
    expect(() => acceptEnvelope(envelope({}, broken), config)).toThrow(ProtocolError);
    expect(() =>
      acceptEnvelope(envelope({}, [{ type: 'transaction' }, '{oops'] as [object, string]), config),
    ).toThrow(/invalid/);
    expect(acceptEnvelope(envelope({}, broken, [{ type: 'session' }, '{}']), config)).toEqual({
      eventId: null,
      counted: false,
    });
  });
});

describe('acceptStoreBody', () => {
  it('takes the event id of one JSON object, or makes one', () => {
    expect(acceptStoreBody(Buffer.from(JSON.stringify({ event_id: ID })), config)).toBe(ID);
    expect(acceptStoreBody(Buffer.from('{}'), config)).toMatch(/^[0-9a-f]{32}$/);
    expect(() => acceptStoreBody(Buffer.from('"text"'), config)).toThrow(/not a JSON object/);
    expect(() => acceptStoreBody(Buffer.from(`{"a":"${'x'.repeat(3000)}"}`), config)).toThrow(/size limits/);
  });
});
