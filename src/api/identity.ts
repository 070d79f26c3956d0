import type { Scope } from '../auth/scopes.js';
import type { Session, User } from '../store/types.js';

/** Who is calling, as established from the Authorization header or the session cookie. */
export type Identity =
  | { readonly kind: 'anonymous' }
  | {
      readonly kind: 'user-token';
      readonly user: User;
      readonly tokenId: number;
      readonly scopes: ReadonlySet<Scope>;
    }
  | {
      readonly kind: 'org-token';
      readonly tokenId: number;
      readonly organizationId: number;
      readonly scopes: ReadonlySet<Scope>;
    }
  | { readonly kind: 'session'; readonly user: User; readonly session: Session };

export const ANONYMOUS: Identity = Object.freeze({ kind: 'anonymous' });

/** The user behind an identity, if there is one (organization tokens have none). */
export function userOf(identity: Identity): User | null {
  return identity.kind === 'user-token' || identity.kind === 'session' ? identity.user : null;
}
