import type { OrgToken, UserToken } from '../../store/types.js';
import { isoDate, isoDateOrNull } from './dates.js';

/** A personal token as Sentry lists it; the plaintext appears only in the create response. */
export function serializeUserToken(token: UserToken, plaintext?: string) {
  return {
    id: String(token.id),
    scopes: [...token.scopes].sort(),
    name: token.name,
    application: null,
    expiresAt: isoDateOrNull(token.expiresAt),
    dateCreated: isoDate(token.dateCreated),
    dateLastUsed: isoDateOrNull(token.dateLastUsed),
    state: null,
    refreshToken: null,
    tokenLastCharacters: token.lastChars,
    ...(plaintext === undefined ? {} : { token: plaintext }),
  };
}

/** An organization token as Sentry lists it; the plaintext appears only in the create response. */
export function serializeOrgToken(token: OrgToken, plaintext?: string) {
  return {
    id: String(token.id),
    name: token.name,
    scopes: [...token.scopes].sort(),
    tokenLastCharacters: token.lastChars,
    dateCreated: isoDate(token.dateCreated),
    dateLastUsed: isoDateOrNull(token.dateLastUsed),
    projectLastUsedId: token.projectLastUsedId === null ? null : String(token.projectLastUsedId),
    ...(plaintext === undefined ? {} : { token: plaintext }),
  };
}
