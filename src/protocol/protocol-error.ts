/**
 * Every way a client payload can break the Sentry protocol, as a closed union.
 * `ingest/` maps each code to an HTTP status; `protocol/` itself knows nothing about HTTP.
 */
export type ProtocolErrorCode =
  | 'invalid_dsn'
  | 'missing_auth'
  | 'invalid_auth'
  | 'conflicting_auth'
  | 'unsupported_protocol_version'
  | 'invalid_envelope'
  | 'invalid_event_id'
  | 'invalid_event'
  | 'invalid_check_in';

/**
 * The one error `protocol/` throws for bad client input. Programming errors (a caller passing a
 * negative retry time, say) stay plain `TypeError`/`RangeError`.
 *
 * @example
 * try { parseEnvelope(body) } catch (err) { if (err instanceof ProtocolError) reply(400, err.message) }
 */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
  readonly code: ProtocolErrorCode;

  constructor(code: ProtocolErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
