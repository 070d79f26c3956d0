import { AppError } from '../lib/app-error.js';
import { ProtocolError } from '../protocol/protocol-error.js';

/** Why Relay refuses a request it cannot attribute to an enabled key of the project. */
export function rejected(reason: string): AppError {
  return new AppError('forbidden', `event submission rejected with_reason: ${reason}`);
}

/** Maps the protocol layer's errors to the statuses Relay answers with. */
export function fromProtocolError(error: ProtocolError): AppError {
  switch (error.code) {
    case 'missing_auth':
      return new AppError('not_authenticated', 'missing authorization information');
    case 'invalid_auth':
    case 'conflicting_auth':
    case 'invalid_dsn':
      return new AppError('not_authenticated', error.message);
    case 'unsupported_protocol_version':
    case 'invalid_envelope':
    case 'invalid_event_id':
    case 'invalid_event':
    case 'invalid_check_in':
      return new AppError('bad_request', error.message);
  }
}

export function asIngestError(error: unknown): unknown {
  return error instanceof ProtocolError ? fromProtocolError(error) : error;
}
