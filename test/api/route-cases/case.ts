import type { Scope } from '../../../src/auth/scopes.js';
import type { Expectations } from '../support/callers.js';
import type { Env, Prepared, World } from '../support/world.js';

/**
 * One rightful call of a route, keyed `${method} ${url}`: the URL and body to send against fresh
 * objects, what a 2xx answer must hold, and what every caller of the role matrix must get.
 */
export interface RouteCase {
  /** For scoped routes: the scope the rightful caller's token holds (and the matrix's `grant` tokens). */
  readonly grant?: Scope;
  /** Scopes such a token needs besides `grant` for the call to succeed. */
  readonly alsoGrants?: readonly Scope[];
  /**
   * A caller from elsewhere (a non-member's token, another organization's token, another person's
   * session): `deny` = 403/404, `filter` = 2xx showing nothing of organization A, `none` = the route
   * has nothing of anyone else's to protect.
   */
  readonly foreign: 'deny' | 'filter' | 'none';
  /** The role matrix: each caller's outcome, or why the route reaches no organization's data. */
  readonly callers: Expectations | { readonly outside: string };
  prepare(env: Env, w: World): Promise<Prepared>;
}

/** The scopes of the rightful token. */
export const grantOf = (c: RouteCase): Scope[] => (c.grant ? [c.grant, ...(c.alsoGrants ?? [])] : []);
