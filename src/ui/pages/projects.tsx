import { usePageTitle } from '../components/layout.js';
import { EmptyState } from '../components/notice.js';
import { timeAgo } from '../lib/format.js';
import { platformName } from '../lib/platforms.js';
import { Link, qs } from '../lib/router.js';
import { can, useOrg } from '../lib/session.js';

/** The organization's projects, each with its issues, setup and settings. */
export function ProjectsPage() {
  const { org } = useOrg();
  usePageTitle('Projects');
  const slug = encodeURIComponent(org.slug);
  const projects = org.projects ?? [];
  const mayCreate =
    can(org, 'project:write') || (org.teams ?? []).some((t) => t.access.includes('project:write'));
  return (
    <div>
      <div className="page-head">
        <h1>Projects</h1>
        {mayCreate && (
          <Link className="button primary" to={`/organizations/${slug}/projects/new/`}>
            Create project
          </Link>
        )}
      </div>
      {projects.length === 0 ? (
        <EmptyState title="No projects yet">
          <p>
            A project receives the events of one application or service and gives it a DSN.{' '}
            {mayCreate ? 'Create one to get started.' : 'Ask an admin of the organization to create one.'}
          </p>
        </EmptyState>
      ) : (
        <ul className="cards">
          {projects.map((p) => (
            <li key={p.id} className="card project-card">
              <h2>
                <Link to={`/organizations/${slug}/issues/${qs({ project: p.id })}`}>{p.name}</Link>
              </h2>
              <p className="muted">
                {p.slug} · {platformName(p.platform)}
                {p.teams.length > 0 && ` · ${p.teams.map((t) => `#${t.slug}`).join(' ')}`}
              </p>
              <p>{p.firstEvent ? `First event ${timeAgo(p.firstEvent)}` : 'No events yet'}</p>
              <div className="actions">
                <Link to={`/organizations/${slug}/issues/${qs({ project: p.id })}`}>Issues</Link>
                <Link to={`/organizations/${slug}/releases/${qs({ project: p.id })}`}>Releases</Link>
                <Link to={`/organizations/${slug}/projects/${encodeURIComponent(p.slug)}/getting-started/`}>
                  Setup
                </Link>
                <Link to={`/settings/${slug}/projects/${encodeURIComponent(p.slug)}/`}>Settings</Link>
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
