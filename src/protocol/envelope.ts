import { ProtocolError } from './protocol-error.js';

/** Envelope-level headers. Known ones are listed; none is validated here, hence `unknown`. */
export interface EnvelopeHeaders {
  event_id?: unknown;
  dsn?: unknown;
  sent_at?: unknown;
  sdk?: unknown;
  trace?: unknown;
  [key: string]: unknown;
}

/** Item headers; `type` is checked to be a string and `length` a byte count, the rest kept as sent. */
export interface EnvelopeItemHeaders {
  type: string;
  length?: number;
  [key: string]: unknown;
}

export interface EnvelopeItem {
  headers: EnvelopeItemHeaders;
  /** A view into the parsed body, not a copy: copy it to keep it past the body's life. */
  payload: Buffer;
}

export interface Envelope {
  headers: EnvelopeHeaders;
  items: EnvelopeItem[];
}

/** A body that breaks the envelope grammar; `offset` is the byte where parsing gave up. */
export class EnvelopeError extends ProtocolError {
  override name = 'EnvelopeError';
  readonly offset: number;

  constructor(message: string, offset: number) {
    super('invalid_envelope', `${message} (at byte ${offset})`);
    this.offset = offset;
  }
}

const NEWLINE = 0x0a;

function lineEnd(body: Buffer, start: number): number {
  const end = body.indexOf(NEWLINE, start);
  return end === -1 ? body.length : end;
}

function parseHeaderLine(body: Buffer, start: number, end: number, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8', start, end));
  } catch (err) {
    throw new EnvelopeError(`invalid ${what}: ${(err as Error).message}`, start);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new EnvelopeError(`invalid ${what}: not a JSON object`, start);
  }
  return value as Record<string, unknown>;
}

function checkItemHeaders(headers: Record<string, unknown>, offset: number): EnvelopeItemHeaders {
  if (typeof headers.type !== 'string' || headers.type === '') {
    throw new EnvelopeError('invalid item header: missing "type"', offset);
  }
  const { length } = headers;
  if (length === null) delete headers.length;
  else if (length !== undefined && !(Number.isSafeInteger(length) && (length as number) >= 0)) {
    throw new EnvelopeError(`invalid item header: bad length ${JSON.stringify(length)}`, offset);
  }
  return headers as EnvelopeItemHeaders;
}

/** Parses an envelope's header line alone (without its newline), as `parseEnvelope` does. */
export function parseEnvelopeHeader(line: Buffer): EnvelopeHeaders {
  return parseHeaderLine(line, 0, line.length, 'envelope header') as EnvelopeHeaders;
}

/**
 * Parses an (already decompressed) envelope body, per ingestion.md §2.2: a header line, then items
 * of a header line and a payload. An item with `length` takes exactly that many bytes, which must be
 * followed by `\n` or the end; without `length` the payload runs to the next `\n` or the end.
 * One trailing newline is allowed, nothing after it; a `\r` stays in the line it ends.
 * Item types are not interpreted: unknown ones come back like any other.
 *
 * Scans the Buffer by index and decodes only header lines, so binary payloads are never copied or
 * converted. Throws `EnvelopeError` for anything malformed.
 *
 * @example
 * parseEnvelope(Buffer.from('{}\n{"type":"event"}\n{"message":"hi"}'))
 * // { headers: {}, items: [{ headers: { type: 'event' }, payload: <Buffer 7b …> }] }
 */
export function parseEnvelope(body: Buffer): Envelope {
  if (body.length === 0) throw new EnvelopeError('empty envelope', 0);
  let end = lineEnd(body, 0);
  const headers = parseHeaderLine(body, 0, end, 'envelope header');
  const items: EnvelopeItem[] = [];
  let pos = end + 1;

  while (pos < body.length) {
    end = lineEnd(body, pos);
    const itemHeaders = checkItemHeaders(parseHeaderLine(body, pos, end, 'item header'), pos);
    if (end === body.length) {
      throw new EnvelopeError('unexpected end of envelope: item header without payload', end);
    }
    const start = end + 1;
    const { length } = itemHeaders;
    if (length === undefined) {
      end = lineEnd(body, start);
    } else {
      end = start + length;
      if (end > body.length) {
        throw new EnvelopeError(`unexpected end of envelope: item needs ${length} bytes`, start);
      }
      if (end < body.length && body[end] !== NEWLINE) {
        throw new EnvelopeError('missing newline after item payload', end);
      }
    }
    items.push({ headers: itemHeaders, payload: body.subarray(start, end) });
    pos = end + 1;
  }
  return { headers, items };
}

/** An item to serialize; a string payload is written as UTF-8, an object as JSON. */
export interface EnvelopeItemInput {
  headers: { type: string; [key: string]: unknown };
  payload: Buffer | string | object;
}

export interface SerializeOptions {
  /** Write `length` on every item (Python SDK style). Default false: only where needed (JS SDK style). */
  lengths?: boolean;
  /** End the body with `\n`. Default false. */
  trailingNewline?: boolean;
}

/**
 * Writes an envelope that `parseEnvelope` reads back. `length` is always the true byte count:
 * set where asked or where the payload holds a newline, dropped elsewhere. For tests and benches;
 * servers only read envelopes.
 */
export function serializeEnvelope(
  envelope: { headers: Record<string, unknown>; items: readonly EnvelopeItemInput[] },
  options: SerializeOptions = {},
): Buffer {
  const parts: Buffer[] = [Buffer.from(JSON.stringify(envelope.headers))];
  for (const item of envelope.items) {
    const payload = Buffer.isBuffer(item.payload)
      ? item.payload
      : Buffer.from(typeof item.payload === 'string' ? item.payload : JSON.stringify(item.payload));
    const { length: _ignored, ...headers } = item.headers;
    const needsLength = options.lengths === true || payload.includes(NEWLINE);
    const written = needsLength ? { ...headers, length: payload.length } : headers;
    parts.push(Buffer.from(`\n${JSON.stringify(written)}\n`), payload);
  }
  if (options.trailingNewline) parts.push(Buffer.from('\n'));
  return Buffer.concat(parts);
}
