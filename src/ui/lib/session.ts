import { createContext, useContext } from 'react';
import type { Loaded } from './api.js';
import type { Organization, OrganizationDetail, Region, User } from './types.js';

export interface Session {
  readonly user: User;
  readonly organizations: Organization[];
  /** Every region of the deployment, loaded once at sign-in (they change only with the configuration). */
  readonly regions: readonly Region[];
  /** Reloads the user's organizations (after creating or leaving one). */
  refresh(): void;
  signOut(): Promise<void>;
}

export const SessionContext = createContext<Session | null>(null);

/** The signed-in person; only pages behind sign-in use it. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}

export const OrgContext = createContext<Loaded<OrganizationDetail> | null>(null);

/** The organization of the current page, with the caller's scopes in it (`access`). */
export function useOrg(): { org: OrganizationDetail; reload(): void } {
  const loaded = useContext(OrgContext);
  if (!loaded?.data) throw new Error('useOrg outside an organization page');
  return { org: loaded.data, reload: loaded.reload };
}

/** Whether the caller holds a scope in the organization: the UI offers only what the API allows. */
export function can(org: { access: readonly string[] }, scope: string): boolean {
  return org.access.includes(scope);
}

const LAST_ORG = 'errata:lastOrg';

export function rememberOrg(slug: string): void {
  try {
    localStorage.setItem(LAST_ORG, slug);
  } catch {
    // Private windows may refuse storage; the first organization is then the default.
  }
}

export function lastOrg(organizations: readonly Organization[]): Organization | undefined {
  let slug: string | null = null;
  try {
    slug = localStorage.getItem(LAST_ORG);
  } catch {
    slug = null;
  }
  return organizations.find((o) => o.slug === slug) ?? organizations[0];
}
