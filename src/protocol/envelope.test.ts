import { describe, expect, it } from 'vitest';
import { EnvelopeError, parseEnvelope, serializeEnvelope } from './envelope.js';

const EID = '9ec79c33ec9942ab8353589fcb2e04dc';
const summary = (body: string | Buffer) => {
  const envelope = parseEnvelope(Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1'));
  return {
    headers: envelope.headers,
    items: envelope.items.map((item) => [item.headers.type, item.payload.toString('latin1')]),
  };
};

describe('parseEnvelope', () => {
  it.each<[string, string, Record<string, unknown>, [string, string][]]>([
    ['header only, no newline', '{}', {}, []],
    ['header only, trailing newline', `{"event_id":"${EID}"}\n`, { event_id: EID }, []],
    [
      // the two-item example of the envelope spec: \r\n inside a length-prefixed payload
      'explicit lengths, trailing newline',
      '{}\n{"type":"attachment","length":10}\n\xef\xbb\xbfHello\r\n\n{"type":"event","length":41}\n{"message":"hello world","level":"error"}\n',
      {},
      [
        ['attachment', '\xef\xbb\xbfHello\r\n'],
        ['event', '{"message":"hello world","level":"error"}'],
      ],
    ],
    [
      'explicit lengths, last newline omitted',
      '{}\n{"type":"a","length":2}\nab\n{"type":"b","length":3}\nxyz',
      {},
      [
        ['a', 'ab'],
        ['b', 'xyz'],
      ],
    ],
    [
      'two empty attachments',
      '{}\n{"type":"attachment","length":0}\n\n{"type":"attachment","length":0}\n\n',
      {},
      [
        ['attachment', ''],
        ['attachment', ''],
      ],
    ],
    [
      'two empty attachments, last newline omitted',
      '{}\n{"type":"attachment","length":0}\n\n{"type":"attachment","length":0}\n',
      {},
      [
        ['attachment', ''],
        ['attachment', ''],
      ],
    ],
    [
      'implicit length ended by newline',
      '{}\n{"type":"attachment"}\nhelloworld\n',
      {},
      [['attachment', 'helloworld']],
    ],
    [
      'implicit length ended by EOF',
      '{}\n{"type":"attachment"}\nhelloworld',
      {},
      [['attachment', 'helloworld']],
    ],
    ['implicit length keeps \\r of \\r\\n', '{}\r\n{"type":"x"}\r\nab\r\n', {}, [['x', 'ab\r']]],
    ['implicit empty payload ended by EOF', '{}\n{"type":"x"}\n', {}, [['x', '']]],
    [
      // JS SDK shape: JSON items without length mixed with a binary attachment with length
      'implicit and explicit items with binary bytes',
      '{}\n{"type":"event"}\n{}\n{"type":"attachment","length":4}\n\x00\n\xff\x0a\n{"type":"client_report"}\n{"a":1}',
      {},
      [
        ['event', '{}'],
        ['attachment', '\x00\n\xff\n'],
        ['client_report', '{"a":1}'],
      ],
    ],
    [
      'unknown item type and headers kept',
      '{"x":1}\n{"type":"future","foo":[1]}\n?',
      { x: 1 },
      [['future', '?']],
    ],
    ['length null means implicit', '{}\n{"type":"x","length":null}\nab\n', {}, [['x', 'ab']]],
  ])('%s', (_name, body, headers, items) => {
    expect(summary(body)).toEqual({ headers, items });
  });

  it.each<[string, string, string, number]>([
    ['empty body', '', 'empty envelope', 0],
    ['header not JSON', 'nope\n', 'invalid envelope header', 0],
    ['header not an object', '[1]\n', 'invalid envelope header: not a JSON object', 0],
    ['empty header line', '\n{"type":"x"}\na', 'invalid envelope header', 0],
    ['item header not JSON', '{}\n{"type":\n', 'invalid item header', 3],
    ['item without type', '{}\n{"length":1}\na', 'invalid item header: missing "type"', 3],
    ['item with numeric type', '{}\n{"type":1}\na', 'missing "type"', 3],
    ['negative length', '{}\n{"type":"x","length":-1}\n', 'bad length -1', 3],
    ['fractional length', '{}\n{"type":"x","length":1.5}\nab', 'bad length 1.5', 3],
    ['string length', '{}\n{"type":"x","length":"2"}\nab', 'bad length "2"', 3],
    ['length past EOF', '{}\n{"type":"x","length":5}\nab', 'unexpected end of envelope', 27],
    [
      'length not followed by newline',
      '{}\n{"type":"x","length":1}\nab',
      'missing newline after item payload',
      28,
    ],
    ['whitespace after final newline', '{}\n{"type":"x","length":1}\na\n\n', 'invalid item header', 29],
    ['item header at EOF', '{}\n{"type":"x"}', 'item header without payload', 15],
  ])('rejects %s', (_name, body, message, offset) => {
    const parse = () => parseEnvelope(Buffer.from(body, 'latin1'));
    expect(parse).toThrow(EnvelopeError);
    expect(parse).toThrow(expect.objectContaining({ code: 'invalid_envelope', offset }));
    expect(parse).toThrow(message);
  });

  it('returns payloads as views into the body, not copies', () => {
    const body = Buffer.from('{}\n{"type":"x","length":2}\nab');
    const [item] = parseEnvelope(body).items;
    expect(item?.payload.buffer).toBe(body.buffer);
    expect(item?.payload.byteOffset).toBe(body.byteOffset + 27);
  });
});

describe('serializeEnvelope', () => {
  const binary = Buffer.from([0x00, 0x0a, 0xff]);
  const envelope = {
    headers: { event_id: EID },
    items: [
      { headers: { type: 'event' }, payload: { message: 'hi' } },
      { headers: { type: 'attachment', filename: 'a.bin', length: 99 }, payload: binary },
      { headers: { type: 'log' }, payload: 'plain' },
    ],
  };

  it.each([
    [
      {},
      `{"event_id":"${EID}"}\n{"type":"event"}\n{"message":"hi"}\n{"type":"attachment","filename":"a.bin","length":3}\n\x00\n\xff\n{"type":"log"}\nplain`,
    ],
    [
      { lengths: true, trailingNewline: true },
      `{"event_id":"${EID}"}\n{"type":"event","length":16}\n{"message":"hi"}\n{"type":"attachment","filename":"a.bin","length":3}\n\x00\n\xff\n{"type":"log","length":5}\nplain\n`,
    ],
  ])('writes %j', (options, expected) => {
    const body = serializeEnvelope(envelope, options);
    expect(body.toString('latin1')).toBe(expected);
    expect(parseEnvelope(body).items.map((i) => i.payload)).toEqual([
      Buffer.from('{"message":"hi"}'),
      binary,
      Buffer.from('plain'),
    ]);
  });
});
