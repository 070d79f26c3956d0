import { type ReactNode, useCallback, useEffect, useMemo, useState } from 'react';
import { Layout, SettingsLayout } from './components/layout.js';
import { ErrorNotice, Loading } from './components/notice.js';
import { api, setSignedOutHandler, useApi } from './lib/api.js';
import { matchPath, navigate, qs, useLocation } from './lib/router.js';
import { lastOrg, OrgContext, rememberOrg, type Session, SessionContext } from './lib/session.js';
import type { Organization, OrganizationDetail, Region, User } from './lib/types.js';
import { AcceptInvitePage } from './pages/accept-invite.js';
import { AlertRuleDetailPage } from './pages/alert-rule-detail.js';
import { EditAlertRulePage, NewAlertRulePage } from './pages/alert-rule-edit.js';
import { AlertRulesPage } from './pages/alert-rules.js';
import { CronsPage } from './pages/crons.js';
import { FeedbackPage } from './pages/feedback.js';
import { ForgotPasswordPage } from './pages/forgot-password.js';
import { GettingStartedPage } from './pages/getting-started.js';
import { IssueDetailPage } from './pages/issue-detail.js';
import { IssueEventsPage } from './pages/issue-events.js';
import { IssueStreamPage } from './pages/issue-stream.js';
import { IssueTagValuesPage } from './pages/issue-tag-values.js';
import { LoginPage } from './pages/login.js';
import { LogsPage } from './pages/logs.js';
import { MembersPage } from './pages/members.js';
import { MonitorDetailPage } from './pages/monitor-detail.js';
import { NewOrganizationPage } from './pages/new-organization.js';
import { NotFoundPage } from './pages/not-found.js';
import { NotificationsPage } from './pages/notifications.js';
import { OrgSettingsPage } from './pages/org-settings.js';
import { OrgTokensPage } from './pages/org-tokens.js';
import { ProjectKeysPage } from './pages/project-keys.js';
import { NewProjectPage } from './pages/project-new.js';
import { ProjectSettingsPage } from './pages/project-settings.js';
import { ProjectSourceMapsPage } from './pages/project-source-maps.js';
import { ProjectsPage } from './pages/projects.js';
import { ReleaseDetailPage } from './pages/release-detail.js';
import { ReleasesPage } from './pages/releases.js';
import { ResetPasswordPage } from './pages/reset-password.js';
import { TeamsPage } from './pages/teams.js';
import { TracePage } from './pages/trace.js';
import { TracesPage } from './pages/traces.js';
import { UsagePage } from './pages/usage.js';
import { UserTokensPage } from './pages/user-tokens.js';

type Params = Record<string, string>;

/** Pages inside an organization: the path's `:org` is loaded first and offered through OrgContext. */
const ORG_ROUTES: [string, (p: Params) => ReactNode][] = [
  ['/organizations/:org/issues/', () => <IssueStreamPage />],
  ['/organizations/:org/issues/:issue/', (p) => <IssueDetailPage issueId={p.issue as string} />],
  [
    '/organizations/:org/issues/:issue/events/:event/',
    (p) => <IssueDetailPage issueId={p.issue as string} eventId={p.event as string} />,
  ],
  ['/organizations/:org/issues/:issue/events/', (p) => <IssueEventsPage issueId={p.issue as string} />],
  [
    '/organizations/:org/issues/:issue/tags/:key/',
    (p) => <IssueTagValuesPage key={p.key} issueId={p.issue as string} tagKey={p.key as string} />,
  ],
  ['/organizations/:org/releases/', () => <ReleasesPage />],
  ['/organizations/:org/explore/traces/', () => <TracesPage />],
  ['/organizations/:org/explore/logs/', () => <LogsPage />],
  [
    '/organizations/:org/explore/traces/trace/:traceId/',
    (p) => <TracePage key={p.traceId} traceId={p.traceId as string} />,
  ],
  [
    '/organizations/:org/releases/:version/',
    // A new version is a new page: nothing (an open menu, a cursor) carries over from the last one.
    (p) => <ReleaseDetailPage key={p.version} version={p.version as string} />,
  ],
  ['/organizations/:org/crons/', () => <CronsPage />],
  [
    '/organizations/:org/crons/:project/:monitor/',
    (p) => (
      <MonitorDetailPage
        key={`${p.project} ${p.monitor}`}
        projectSlug={p.project as string}
        monitorSlug={p.monitor as string}
      />
    ),
  ],
  ['/organizations/:org/feedback/', () => <FeedbackPage />],
  [
    '/organizations/:org/alerts/',
    (p) => <Redirect to={`/organizations/${encodeURIComponent(p.org as string)}/alerts/rules/`} />,
  ],
  ['/organizations/:org/alerts/rules/', () => <AlertRulesPage />],
  ['/organizations/:org/alerts/new/issue/', () => <NewAlertRulePage />],
  [
    '/organizations/:org/alerts/rules/:project/:rule/',
    (p) => <EditAlertRulePage key={p.rule} projectSlug={p.project as string} ruleId={p.rule as string} />,
  ],
  [
    '/organizations/:org/alerts/rules/:project/:rule/details/',
    (p) => <AlertRuleDetailPage key={p.rule} projectSlug={p.project as string} ruleId={p.rule as string} />,
  ],
  ['/organizations/:org/projects/', () => <ProjectsPage />],
  ['/organizations/:org/projects/new/', () => <NewProjectPage />],
  [
    '/organizations/:org/projects/:project/getting-started/',
    (p) => <GettingStartedPage projectSlug={p.project as string} />,
  ],
  ['/settings/:org/', () => <OrgSettingsPage />],
  ['/settings/:org/auth-tokens/', () => <OrgTokensPage />],
  ['/settings/:org/members/', () => <MembersPage />],
  ['/settings/:org/teams/', () => <TeamsPage />],
  ['/settings/:org/usage/', () => <UsagePage />],
  ['/settings/:org/projects/', () => <ProjectsPage />],
  ['/settings/:org/projects/:project/', (p) => <ProjectSettingsPage projectSlug={p.project as string} />],
  ['/settings/:org/projects/:project/keys/', (p) => <ProjectKeysPage projectSlug={p.project as string} />],
  [
    '/settings/:org/projects/:project/source-maps/',
    (p) => <ProjectSourceMapsPage projectSlug={p.project as string} />,
  ],
];

/** The person's own settings, beside the settings of the organization they were last in. */
const ACCOUNT_ROUTES: Record<string, () => ReactNode> = {
  '/settings/account/api/auth-tokens/': () => <UserTokensPage />,
  '/settings/account/notifications/': () => <NotificationsPage />,
};

/** Pages anyone may open, signed in or not: asking for a password-reset link, and using one. */
const FORGOT_PASSWORD = '/auth/password-reset/';
const RESET_PASSWORD = '/auth/reset/:token/';

/** Loads the organization of the page; everything below it may call useOrg(). */
function OrgScope({ slug, children }: { slug: string; children: ReactNode }) {
  const loaded = useApi<OrganizationDetail>(`/organizations/${encodeURIComponent(slug)}/`);
  useEffect(() => {
    if (loaded.data) rememberOrg(loaded.data.slug);
  }, [loaded.data]);
  return (
    <OrgContext.Provider value={loaded}>
      <Layout orgSlug={slug}>
        {loaded.data && loaded.data.slug === slug ? (
          children
        ) : loaded.error ? (
          <ErrorNotice error={loaded.error} />
        ) : (
          <Loading what="Loading the organization" />
        )}
      </Layout>
    </OrgContext.Provider>
  );
}

function SignedInRoutes({ session }: { session: Session }) {
  const { pathname } = useLocation();
  if (pathname === '/' || pathname === '/organizations/' || pathname === '/auth/login/') {
    const org = lastOrg(session.organizations);
    return <Redirect to={org ? `/organizations/${org.slug}/issues/` : '/organizations/new/'} />;
  }
  if (pathname === '/organizations/new/') {
    // Someone with organizations keeps the header, to go back to one of them.
    const org = lastOrg(session.organizations);
    return org ? (
      <Layout orgSlug={org.slug}>
        <NewOrganizationPage />
      </Layout>
    ) : (
      <main id="main">
        <NewOrganizationPage />
      </main>
    );
  }
  const invite = matchPath('/accept/:org/:member/:token/', pathname);
  if (invite) return <AcceptInvitePage {...(invite as { org: string; member: string; token: string })} />;
  const account = ACCOUNT_ROUTES[pathname.endsWith('/') ? pathname : `${pathname}/`];
  if (account) {
    const org = lastOrg(session.organizations)?.slug ?? null;
    return (
      <Layout orgSlug={org}>
        <SettingsLayout orgSlug={org}>{account()}</SettingsLayout>
      </Layout>
    );
  }
  if (pathname === '/settings/account/' || pathname === '/settings/') {
    return <Redirect to="/settings/account/api/auth-tokens/" />;
  }
  for (const [pattern, render] of ORG_ROUTES) {
    const params = matchPath(pattern, pathname);
    if (params) {
      return (
        <OrgScope key={params.org} slug={params.org as string}>
          {/* Every settings page, the project ones too, keeps the settings menu beside it. */}
          {pattern.startsWith('/settings/') ? (
            <SettingsLayout orgSlug={params.org as string}>{render(params)}</SettingsLayout>
          ) : (
            render(params)
          )}
        </OrgScope>
      );
    }
  }
  return (
    <Layout orgSlug={lastOrg(session.organizations)?.slug ?? null}>
      <NotFoundPage />
    </Layout>
  );
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

type Auth = { state: 'loading' } | { state: 'signed-out' } | { state: 'signed-in'; user: User };

export function App() {
  const [auth, setAuth] = useState<Auth>({ state: 'loading' });
  const [orgRound, setOrgRound] = useState(0);
  const [organizations, setOrganizations] = useState<Organization[] | null>(null);
  const [regions, setRegions] = useState<Region[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const { pathname, search, href } = useLocation();

  const signedOut = useCallback(() => {
    setAuth({ state: 'signed-out' });
    setOrganizations(null);
  }, []);

  useEffect(() => {
    setSignedOutHandler(signedOut);
    api.get<{ user: User | null }>('/').then(
      (root) => setAuth(root.user ? { state: 'signed-in', user: root.user } : { state: 'signed-out' }),
      (error) => setLoadError(error),
    );
  }, [signedOut]);

  useEffect(() => {
    if (auth.state !== 'signed-in') return;
    // orgRound: refresh() asks for the list again.
    void orgRound;
    api.get<Organization[]>('/organizations/').then(setOrganizations, setLoadError);
  }, [auth, orgRound]);

  useEffect(() => {
    if (auth.state !== 'signed-in') return;
    api.get<{ regions: Region[] }>('/regions/').then((r) => setRegions(r.regions), setLoadError);
  }, [auth.state]);

  const session = useMemo<Session | null>(
    () =>
      auth.state === 'signed-in' && organizations && regions
        ? {
            user: auth.user,
            organizations,
            regions,
            refresh: () => setOrgRound((r) => r + 1),
            async signOut() {
              try {
                await api.delete('/auth/');
              } finally {
                signedOut();
                navigate('/auth/login/');
              }
            },
          }
        : null,
    [auth, organizations, regions, signedOut],
  );

  const reset = matchPath(RESET_PASSWORD, pathname);
  const open = pathname === FORGOT_PASSWORD || reset !== null;

  // Signed out anywhere else: go to the sign-in page and come back here afterwards.
  useEffect(() => {
    if (auth.state === 'signed-out' && pathname !== '/auth/login/' && !open) {
      navigate(`/auth/login/${qs({ next: href })}`, { replace: true });
    }
  }, [auth.state, pathname, href, open]);

  if (pathname === FORGOT_PASSWORD) return <ForgotPasswordPage />;
  if (reset) {
    return (
      <ResetPasswordPage
        token={reset.token as string}
        onDone={() => {
          // The new password ended every session, this one too.
          signedOut();
          navigate('/auth/login/?reset=done', { replace: true });
        }}
      />
    );
  }

  if (loadError) {
    return (
      <main className="centered">
        <ErrorNotice error={loadError} />
        <button type="button" className="button" onClick={() => window.location.reload()}>
          Try again
        </button>
      </main>
    );
  }
  if (auth.state === 'signed-out') {
    if (pathname !== '/auth/login/') return null;
    return (
      <LoginPage
        onSignedIn={(user) => {
          setAuth({ state: 'signed-in', user });
          const next = search.get('next');
          navigate(next?.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
        }}
      />
    );
  }
  if (!session) return <Loading />;
  return (
    <SessionContext.Provider value={session}>
      <SignedInRoutes session={session} />
    </SessionContext.Provider>
  );
}
