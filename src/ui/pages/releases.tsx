import { EnvironmentFilter } from '../components/environment-filter.js';
import { usePageTitle } from '../components/layout.js';
import { ListSearch } from '../components/list-search.js';
import { EmptyState, ErrorNotice, Loading } from '../components/notice.js';
import { Pager } from '../components/pager.js';
import { ProjectFilter } from '../components/project-filter.js';
import { SessionsChart } from '../components/sessions-chart.js';
import { useApi } from '../lib/api.js';
import { count, dateTime, timeAgo } from '../lib/format.js';
import { healthClass, percent, releaseHealth } from '../lib/health.js';
import { newIssuesPath, releasePath } from '../lib/releases.js';
import { Link, qs, useListParams } from '../lib/router.js';
import { useOrg } from '../lib/session.js';
import type { OrganizationDetail, Release } from '../lib/types.js';

const PER_PAGE = 25;

/** The releases of an organization, newest first, or of one project with `?project=<id>`. */
export function ReleasesPage() {
  const { org } = useOrg();
  usePageTitle('Releases');
  const { search, setParams, submitSearch } = useListParams();
  const projectId = search.get('project') ?? '';
  const query = search.get('query') ?? '';
  const environment = search.get('environment') ?? '';
  const loaded = useApi<Release[]>(
    `/organizations/${encodeURIComponent(org.slug)}/releases/${qs({
      project: projectId,
      environment,
      query,
      cursor: search.get('cursor'),
      per_page: PER_PAGE,
      health: 1,
    })}`,
  );

  const releases = loaded.data ?? [];

  return (
    <div className="releases">
      <div className="page-head">
        <h1>Releases</h1>
      </div>
      <div className="filters">
        <ListSearch
          id="release-search"
          label="Search releases"
          placeholder="Search versions"
          query={query}
          onSubmit={submitSearch}
        />
        <ProjectFilter org={org} value={projectId} onChange={(v) => setParams({ project: v })} />
        <EnvironmentFilter
          orgSlug={org.slug}
          value={environment}
          onChange={(v) => setParams({ environment: v })}
        />
      </div>

      {/* Sessions belong to projects: an organization without any has none to chart. */}
      {(org.projects ?? []).length > 0 && (
        <section aria-label="Sessions over time">
          <SessionsChart
            orgSlug={org.slug}
            projectIds={projectId ? [projectId] : []}
            environment={environment || undefined}
          />
        </section>
      )}
      <section aria-label="Releases" aria-busy={loaded.loading}>
        {loaded.error ? (
          <ErrorNotice error={loaded.error} />
        ) : loaded.data === undefined ? (
          <Loading what="Loading releases" />
        ) : releases.length === 0 ? (
          <NoReleases
            org={org}
            filtered={query !== '' || projectId !== '' || environment !== '' || search.has('cursor')}
          />
        ) : (
          <div className="table-scroll">
            <table className="grid release-table">
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">Created</th>
                  <th scope="col">Released</th>
                  <th scope="col" className="num">
                    New issues
                  </th>
                  <th scope="col" className="num" title="Over the last 14 days">
                    Crash-free sessions
                  </th>
                  <th scope="col" className="num" title="Over the last 14 days">
                    Crash-free users
                  </th>
                  <th scope="col" className="num" title="Share of the projects' users in the last 24 hours">
                    Adoption
                  </th>
                  <th scope="col">Last event</th>
                  <th scope="col">Last deploy</th>
                  <th scope="col" className="num">
                    Commits
                  </th>
                </tr>
              </thead>
              <tbody>
                {releases.map((release) => (
                  <ReleaseRow
                    key={release.id}
                    release={release}
                    orgSlug={org.slug}
                    projectId={projectId}
                    showProjects={!projectId}
                  />
                ))}
              </tbody>
            </table>
          </div>
        )}
        {(loaded.next || loaded.previous) && (
          <Pager previous={loaded.previous} next={loaded.next} onPage={(cursor) => setParams({ cursor })} />
        )}
      </section>
    </div>
  );
}

function ReleaseRow({
  release,
  orgSlug,
  projectId,
  showProjects,
}: {
  release: Release;
  orgSlug: string;
  projectId: string;
  showProjects: boolean;
}) {
  const deploy = release.lastDeploy;
  const health = releaseHealth(release.projects);
  return (
    <tr>
      <th scope="row" className="release-version">
        <Link to={releasePath(orgSlug, release.version)} title={release.version}>
          {release.shortVersion || release.version}
        </Link>
        {showProjects && release.projects.length > 0 && (
          <div className="muted">{release.projects.map((p) => p.slug).join(', ')}</div>
        )}
      </th>
      <td title={dateTime(release.dateCreated)}>{timeAgo(release.dateCreated)}</td>
      <td title={release.dateReleased ? dateTime(release.dateReleased) : 'Not finalized yet'}>
        {release.dateReleased ? timeAgo(release.dateReleased) : <span className="muted">—</span>}
      </td>
      <td className="num">
        {release.newGroups > 0 ? (
          <Link to={newIssuesPath(orgSlug, release.version, projectId || undefined)}>
            {count(release.newGroups)}
          </Link>
        ) : (
          '0'
        )}
      </td>
      <td
        className={`num ${healthClass(health?.crashFreeSessions ?? null)}`}
        data-label="crash-free-sessions"
      >
        {percent(health?.crashFreeSessions ?? null)}
      </td>
      <td className={`num ${healthClass(health?.crashFreeUsers ?? null)}`} data-label="crash-free-users">
        {percent(health?.crashFreeUsers ?? null)}
      </td>
      <td className="num" data-label="adoption" title="Share of the projects' users in the last 24 hours">
        {percent(health?.adoption ?? null)}
      </td>
      <td title={release.lastEvent ? dateTime(release.lastEvent) : undefined}>
        {release.lastEvent ? timeAgo(release.lastEvent) : <span className="muted">—</span>}
      </td>
      <td>
        {deploy ? (
          <>
            <span className="badge environment">{deploy.environment}</span>{' '}
            <span title={dateTime(deploy.dateFinished)}>{timeAgo(deploy.dateFinished)}</span>
          </>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td className="num">{count(release.commitCount)}</td>
    </tr>
  );
}

/** Why there are no releases, and how to make one: sentry-cli with an organization token. */
function NoReleases({ org, filtered }: { org: OrganizationDetail; filtered: boolean }) {
  const slug = encodeURIComponent(org.slug);
  if (filtered) {
    return (
      <EmptyState title="No releases match">
        <p>
          No release matches this project, environment and search. Try all projects and environments, or
          another search.
        </p>
      </EmptyState>
    );
  }
  if ((org.projects ?? []).length === 0) {
    return (
      <EmptyState title="No projects yet">
        <p>Releases belong to projects. Create one first.</p>
        <Link className="button primary" to={`/organizations/${slug}/projects/new/`}>
          Create a project
        </Link>
      </EmptyState>
    );
  }
  const project = org.projects?.[0]?.slug ?? 'my-project';
  return (
    <EmptyState title="No releases yet">
      <p>
        Create releases from CI with sentry-cli and an{' '}
        <Link to={`/settings/${slug}/auth-tokens/`}>organization token</Link>, then record each deploy:
      </p>
      <pre className="commands">
        <code>
          {[
            `export SENTRY_URL=${window.location.origin}`,
            'export SENTRY_AUTH_TOKEN=sntrys_…',
            `sentry-cli releases new -p ${project} "$VERSION"`,
            'sentry-cli releases finalize "$VERSION"',
            'sentry-cli deploys new -r "$VERSION" -e production',
          ].join('\n')}
        </code>
      </pre>
      <p>
        Give your SDK the same version as its <code>release</code> option, so that events name it.
      </p>
    </EmptyState>
  );
}
