import { type ReactNode, useState } from 'react';
import { LevelBadge, StatusBadge } from '../components/badges.js';
import { usePageTitle } from '../components/layout.js';
import { EmptyState, ErrorNotice, Loading } from '../components/notice.js';
import { SessionsChart } from '../components/sessions-chart.js';
import { useApi } from '../lib/api.js';
import { count, dateTime, plural, timeAgo } from '../lib/format.js';
import { healthClass, percent, releaseHealth } from '../lib/health.js';
import { authorName, newIssuesPath, newIssuesQuery, releasePath } from '../lib/releases.js';
import { Link, qs } from '../lib/router.js';
import { useOrg } from '../lib/session.js';
import type { Commit, Deploy, Issue, Release } from '../lib/types.js';

const NEW_ISSUES_SHOWN = 25;

/** Only http(s) URLs become links: a `javascript:` URL sent with a release or deploy would run on click. */
function safeHref(url: string | null): string | null {
  return url && /^https?:\/\//i.test(url) ? url : null;
}

/** One release: its dates and projects, deploys, commits and the issues first seen in it. */
export function ReleaseDetailPage({ version }: { version: string }) {
  const { org } = useOrg();
  const path = releasePath(org.slug, version);
  const release = useApi<Release>(`${path}${qs({ health: 1 })}`);
  usePageTitle(`Release ${version}`);
  const releases = `/organizations/${encodeURIComponent(org.slug)}/releases/`;

  const crumbs = (
    <nav className="breadcrumb" aria-label="Breadcrumb">
      <Link to={releases}>Releases</Link>
      <span aria-hidden="true"> / </span>
      <span>{release.data?.shortVersion ?? version}</span>
    </nav>
  );
  if (release.error?.status === 404) {
    return (
      <div>
        {crumbs}
        <EmptyState title="Release not found">
          <p>
            No release <code>{version}</code> of a project you can see exists in {org.name}. Events may still
            name it: <Link to={newIssuesPath(org.slug, version)}>issues first seen in it</Link>.
          </p>
        </EmptyState>
      </div>
    );
  }
  if (release.error) return <ErrorNotice error={release.error} />;
  if (!release.data) return <Loading what="Loading the release" />;
  const data = release.data;
  const url = safeHref(data.url);

  return (
    <article className="release-detail" aria-labelledby="release-title">
      {crumbs}
      <header className="issue-header">
        <div className="issue-heading">
          <h1 id="release-title">{data.version}</h1>
          <p className="issue-meta">
            {data.projects.map((p) => (
              <Link key={p.id} to={`${releases}${qs({ project: String(p.id) })}`} className="project-slug">
                {p.slug}
              </Link>
            ))}
            {data.ref && (
              <span>
                ref <code>{data.ref}</code>
              </span>
            )}
            {url && (
              <a href={url} rel="noopener noreferrer" target="_blank">
                {data.url}
              </a>
            )}
          </p>
        </div>
        <dl className="issue-stats">
          <Stat label="Created" iso={data.dateCreated} />
          <Stat label="Released" iso={data.dateReleased} none="Not finalized" />
          <Stat label="First event" iso={data.firstEvent} />
          <Stat label="Last event" iso={data.lastEvent} />
          <div>
            <dt>New issues</dt>
            <dd>{count(data.newGroups)}</dd>
          </div>
          <div>
            <dt>Commits</dt>
            <dd>{count(data.commitCount)}</dd>
          </div>
          <div>
            <dt>Deploys</dt>
            <dd>{count(data.deployCount)}</dd>
          </div>
        </dl>
      </header>

      <Health orgSlug={org.slug} release={data} />
      <Deploys path={`${path}deploys/`} />
      <Commits path={`${path}commits/`} release={data} />
      <NewIssues orgSlug={org.slug} release={data} />
    </article>
  );
}

/** Crash-free sessions and users over the last 14 days, adoption, and sessions over time. */
function Health({ orgSlug, release }: { orgSlug: string; release: Release }) {
  const health = releaseHealth(release.projects);
  return (
    <Section title="Health">
      {health ? (
        <dl className="issue-stats health-stats">
          <div>
            <dt>Crash-free sessions</dt>
            <dd className={healthClass(health.crashFreeSessions)} data-label="crash-free-sessions">
              {percent(health.crashFreeSessions)}
            </dd>
          </div>
          <div>
            <dt>Crash-free users</dt>
            <dd className={healthClass(health.crashFreeUsers)} data-label="crash-free-users">
              {percent(health.crashFreeUsers)}
            </dd>
          </div>
          <div>
            <dt>Adoption (24 hours)</dt>
            <dd data-label="adoption">{percent(health.adoption)}</dd>
          </div>
          <div>
            <dt>Sessions</dt>
            <dd data-label="sessions">{count(health.sessions)}</dd>
          </div>
          <div>
            <dt>Users</dt>
            <dd data-label="users">{count(health.users)}</dd>
          </div>
        </dl>
      ) : (
        <p className="muted">
          No sessions name this release yet. SDKs send them when their <code>release</code> option is set.
        </p>
      )}
      <SessionsChart
        orgSlug={orgSlug}
        projectIds={release.projects.map((p) => String(p.id))}
        release={release.version}
      />
    </Section>
  );
}

function Stat({ label, iso, none = '—' }: { label: string; iso: string | null; none?: string }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd title={iso ? dateTime(iso) : undefined}>{iso ? timeAgo(iso) : none}</dd>
    </div>
  );
}

/** A list section that pages on its own with the server's cursors. */
function usePaged<T>(path: string) {
  const [cursor, setCursor] = useState<string | null>(null);
  const loaded = useApi<T[]>(cursor ? `${path}${qs({ cursor })}` : path);
  const pager =
    loaded.next || loaded.previous ? (
      <nav className="pager" aria-label="Pages">
        <button
          type="button"
          className="button small"
          disabled={!loaded.previous}
          onClick={() => setCursor(loaded.previous)}
        >
          Previous
        </button>
        <button
          type="button"
          className="button small"
          disabled={!loaded.next}
          onClick={() => setCursor(loaded.next)}
        >
          Next
        </button>
      </nav>
    ) : null;
  return { loaded, pager };
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  const id = `section-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <section className="release-section" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

function Deploys({ path }: { path: string }) {
  const { loaded, pager } = usePaged<Deploy>(path);
  return (
    <Section title="Deploys">
      {loaded.error ? (
        <ErrorNotice error={loaded.error} />
      ) : !loaded.data ? (
        <Loading what="Loading deploys" />
      ) : loaded.data.length === 0 ? (
        <p className="muted">
          Not deployed yet. Record a deploy with <code>sentry-cli deploys new -r VERSION -e ENVIRONMENT</code>
          .
        </p>
      ) : (
        <div className="table-scroll">
          <table className="grid">
            <thead>
              <tr>
                <th scope="col">Environment</th>
                <th scope="col">Name</th>
                <th scope="col">URL</th>
                <th scope="col">Finished</th>
              </tr>
            </thead>
            <tbody>
              {loaded.data.map((d) => {
                const href = safeHref(d.url);
                return (
                  <tr key={d.id}>
                    <td>
                      <span className="badge environment">{d.environment}</span>
                    </td>
                    <td>{d.name ?? <span className="muted">—</span>}</td>
                    <td className="wrap">
                      {href ? (
                        <a href={href} rel="noopener noreferrer" target="_blank">
                          {d.url}
                        </a>
                      ) : (
                        (d.url ?? <span className="muted">—</span>)
                      )}
                    </td>
                    <td title={dateTime(d.dateFinished)}>{timeAgo(d.dateFinished)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {pager}
    </Section>
  );
}

function Commits({ path, release }: { path: string; release: Release }) {
  const { loaded, pager } = usePaged<Commit>(path);
  // A server without the commits endpoint answers 404: that is a release with no commits known.
  const commits = loaded.error?.status === 404 ? [] : loaded.data;
  const authors = release.authors ?? [];
  return (
    <Section title="Commits">
      {authors.length > 0 && (
        <p className="authors">
          {plural(authors.length, 'author')}:{' '}
          {authors.map((a, i) => (
            <span key={a.email ?? a.id ?? i} title={a.email ?? undefined}>
              {i > 0 && ', '}
              {authorName(a)}
            </span>
          ))}
        </p>
      )}
      {loaded.error && loaded.error.status !== 404 ? (
        <ErrorNotice error={loaded.error} />
      ) : !commits ? (
        <Loading what="Loading commits" />
      ) : commits.length === 0 ? (
        <p className="muted">No commits.</p>
      ) : (
        <ul className="item-list commit-list">
          {commits.map((c) => (
            <li key={c.id}>
              <div className="issue-main">
                <div className="commit-message">
                  {(c.message ?? '').split('\n')[0] || <em>No message</em>}
                </div>
                <div className="issue-meta">
                  <code title={c.id}>{c.id.slice(0, 12)}</code>
                  <span title={c.author?.email ?? undefined}>{authorName(c.author)}</span>
                  {c.repository?.name && <span>{c.repository.name}</span>}
                  {c.dateCreated && <span title={dateTime(c.dateCreated)}>{timeAgo(c.dateCreated)}</span>}
                </div>
              </div>
            </li>
          ))}
        </ul>
      )}
      {pager}
    </Section>
  );
}

function NewIssues({ orgSlug, release }: { orgSlug: string; release: Release }) {
  const projects = release.projects.map((p) => String(p.id));
  // Every status counts: an issue first seen here and resolved since is still new in this release.
  const issues = useApi<Issue[]>(
    `/organizations/${encodeURIComponent(orgSlug)}/issues/${qs({
      query: newIssuesQuery(release.version),
      project: projects,
      sort: 'new',
      limit: NEW_ISSUES_SHOWN,
    })}`,
  );
  const all = `/organizations/${encodeURIComponent(orgSlug)}/issues/${qs({
    query: newIssuesQuery(release.version),
    sort: 'new',
  })}`;
  return (
    <Section title="New issues">
      {issues.error ? (
        <ErrorNotice error={issues.error} />
      ) : !issues.data ? (
        <Loading what="Loading new issues" />
      ) : issues.data.length === 0 ? (
        <p className="muted">No issue was first seen in this release.</p>
      ) : (
        <>
          <ul className="item-list new-issues">
            {issues.data.map((issue) => (
              <li key={issue.id} className={`level-edge-${issue.level}`}>
                <div className="issue-main">
                  <Link
                    className="issue-title"
                    to={`/organizations/${encodeURIComponent(orgSlug)}/issues/${issue.id}/`}
                  >
                    {issue.title}
                  </Link>
                  <div className="issue-meta">
                    <LevelBadge level={issue.level} />
                    <StatusBadge issue={issue} />
                    <span className="short-id">{issue.shortId}</span>
                    {release.projects.length > 1 && <span>{issue.project.slug}</span>}
                    {issue.culprit && <span className="culprit">{issue.culprit}</span>}
                    <span title={`First seen ${dateTime(issue.firstSeen)}`}>
                      first {timeAgo(issue.firstSeen)}
                    </span>
                  </div>
                </div>
                <div className="num" title={`${issue.count} events`}>
                  {plural(Number(issue.count), 'event')}
                </div>
              </li>
            ))}
          </ul>
          {(issues.next || release.newGroups > issues.data.length) && (
            <p>
              <Link to={all}>All {count(release.newGroups)} new issues in the issue stream</Link>
            </p>
          )}
        </>
      )}
    </Section>
  );
}
