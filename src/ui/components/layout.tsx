import { type ReactNode, useEffect, useRef, useState } from 'react';
import { regionOf, severalRegions } from '../lib/regions.js';
import { Link, navigate, useLocation } from '../lib/router.js';
import { useSession } from '../lib/session.js';
import { applyTheme, storedTheme, type Theme } from '../lib/theme.js';

/** Light, dark, or whatever the system says, beside the account's controls. */
function ThemeSelect() {
  const [theme, setTheme] = useState<Theme>(storedTheme);
  return (
    <label className="theme-select">
      <span className="visually-hidden">Theme</span>
      <select
        value={theme}
        onChange={(e) => {
          const next = e.target.value as Theme;
          setTheme(next);
          applyTheme(next);
        }}
      >
        <option value="system">System</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </label>
  );
}

/** The switcher's last entry; a path, so that no organization slug can be mistaken for it. */
const NEW_ORGANIZATION = '/organizations/new/';

function NavLink({ to, children, exact = false }: { to: string; children: ReactNode; exact?: boolean }) {
  const { pathname } = useLocation();
  const current = exact ? pathname === to : pathname.startsWith(to);
  return (
    <Link to={to} aria-current={current ? 'page' : undefined}>
      {children}
    </Link>
  );
}

/** The frame of every signed-in page: skip link, header with navigation, and the page in <main>. */
export function Layout({ orgSlug, children }: { orgSlug: string | null; children: ReactNode }) {
  const session = useSession();
  const { pathname } = useLocation();
  const main = useRef<HTMLElement>(null);

  // After moving to another page, keyboard and screen-reader users start at its content.
  useEffect(() => {
    void pathname;
    if (document.activeElement === document.body || document.activeElement?.closest('nav')) {
      main.current?.focus({ preventScroll: true });
    }
    window.scrollTo(0, 0);
  }, [pathname]);

  const org = orgSlug ? encodeURIComponent(orgSlug) : null;
  const named = severalRegions(session.regions);
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand" aria-label="Errata home">
          <img src="/favicon.svg" alt="" width="24" height="24" />
          <span>Errata</span>
        </Link>
        {orgSlug && (
          <label className="org-switch">
            <span className="visually-hidden">Organization</span>
            <select
              value={pathname === NEW_ORGANIZATION ? NEW_ORGANIZATION : orgSlug}
              onChange={(e) =>
                navigate(
                  e.target.value === NEW_ORGANIZATION
                    ? NEW_ORGANIZATION
                    : `/organizations/${encodeURIComponent(e.target.value)}/issues/`,
                )
              }
            >
              {session.organizations.map((o) => {
                const region = named ? regionOf(session.regions, o) : undefined;
                return (
                  <option key={o.id} value={o.slug}>
                    {region ? `${o.name} — ${region.name.toUpperCase()}` : o.name}
                  </option>
                );
              })}
              <option value={NEW_ORGANIZATION}>New organization…</option>
            </select>
          </label>
        )}
        <nav aria-label="Main" className="mainnav">
          {org && (
            <>
              <NavLink to={`/organizations/${org}/issues/`}>Issues</NavLink>
              <NavLink to={`/organizations/${org}/releases/`}>Releases</NavLink>
              <NavLink to={`/organizations/${org}/crons/`}>Crons</NavLink>
              <NavLink to={`/organizations/${org}/feedback/`}>Feedback</NavLink>
              <NavLink to={`/organizations/${org}/explore/traces/`}>Traces</NavLink>
              <NavLink to={`/organizations/${org}/explore/logs/`}>Logs</NavLink>
              <NavLink to={`/organizations/${org}/alerts/`}>Alerts</NavLink>
              <NavLink to={`/organizations/${org}/projects/`}>Projects</NavLink>
              <NavLink to={`/settings/${org}/`}>Settings</NavLink>
            </>
          )}
          <NavLink to="/settings/account/">Account</NavLink>
        </nav>
        <div className="user">
          <ThemeSelect />
          <span className="user-email" title={session.user.email}>
            {session.user.email}
          </span>
          <button type="button" className="button small" onClick={() => session.signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

/**
 * The settings pages share a side menu (a row of links on a narrow screen): the organization's
 * settings, when there is one to show, and the person's own.
 */
export function SettingsLayout({ orgSlug, children }: { orgSlug: string | null; children: ReactNode }) {
  const org = orgSlug ? encodeURIComponent(orgSlug) : null;
  return (
    <div className="settings">
      <nav aria-label="Settings" className="settings-nav">
        {org && (
          <>
            <h2>Organization</h2>
            <NavLink to={`/settings/${org}/`} exact>
              General
            </NavLink>
            <NavLink to={`/settings/${org}/projects/`}>Projects</NavLink>
            <NavLink to={`/settings/${org}/members/`}>Members</NavLink>
            <NavLink to={`/settings/${org}/teams/`}>Teams</NavLink>
            <NavLink to={`/settings/${org}/auth-tokens/`}>Auth tokens</NavLink>
            <NavLink to={`/settings/${org}/usage/`}>Usage</NavLink>
          </>
        )}
        <h2>Account</h2>
        <NavLink to="/settings/account/api/auth-tokens/">Personal tokens</NavLink>
        <NavLink to="/settings/account/notifications/">Notifications</NavLink>
      </nav>
      <div className="settings-content">{children}</div>
    </div>
  );
}

/** Sets the document title: the page's name first, as browsers' tabs are narrow. */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} — Errata`;
  }, [title]);
}
