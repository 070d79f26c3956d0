import { Link, useLocation } from '../lib/router.js';

/**
 * The views of one issue, as Sentry's tabs: its details (one event in full), its events listed,
 * and who it affects.
 */
export function IssueTabs({ orgSlug, issueId }: { orgSlug: string; issueId: string }) {
  const { pathname } = useLocation();
  const base = `/organizations/${encodeURIComponent(orgSlug)}/issues/${encodeURIComponent(issueId)}/`;
  const tabs = [
    // An event's own page is the details of that event.
    {
      label: 'Details',
      to: base,
      current: pathname !== `${base}events/` && !pathname.startsWith(`${base}tags/`),
    },
    { label: 'Events', to: `${base}events/`, current: pathname === `${base}events/` },
    { label: 'Users', to: `${base}tags/user/`, current: pathname === `${base}tags/user/` },
  ];
  return (
    <nav aria-label="Issue views" className="tabs issue-tabs">
      {tabs.map((tab) => (
        <Link key={tab.label} to={tab.to} aria-current={tab.current ? 'page' : undefined}>
          {tab.label}
        </Link>
      ))}
    </nav>
  );
}
