import { useEffect, useState } from 'react';
import { CodeBlock, CopyField } from '../components/copy-button.js';
import { usePageTitle } from '../components/layout.js';
import { ErrorNotice, Loading, Notice } from '../components/notice.js';
import { useApi } from '../lib/api.js';
import { nodeSnippet, platformName, pythonSnippet } from '../lib/platforms.js';
import { Link, qs } from '../lib/router.js';
import { useOrg } from '../lib/session.js';
import type { Project, ProjectKey } from '../lib/types.js';

const SDKS = [
  { id: 'node', name: 'Node.js', snippet: nodeSnippet },
  { id: 'python', name: 'Python', snippet: pythonSnippet },
];

/** How to send the first event: the project's real DSN in a snippet for Node and for Python. */
export function GettingStartedPage({ projectSlug }: { projectSlug: string }) {
  const { org } = useOrg();
  const base = `/projects/${encodeURIComponent(org.slug)}/${encodeURIComponent(projectSlug)}/`;
  const project = useApi<Project>(base);
  const keys = useApi<ProjectKey[]>(`${base}keys/`);
  const [sdk, setSdk] = useState<string | null>(null);
  usePageTitle(`Set up ${projectSlug}`);

  // Look for the first event every few seconds, so the page says when it has arrived.
  const { reload } = project;
  const received = Boolean(project.data?.firstEvent);
  useEffect(() => {
    if (received) return;
    const timer = setInterval(reload, 3000);
    return () => clearInterval(timer);
  }, [received, reload]);

  if (project.error) return <ErrorNotice error={project.error} />;
  if (keys.error) return <ErrorNotice error={keys.error} />;
  if (!project.data || !keys.data) return <Loading what="Loading the project" />;
  const key = keys.data.find((k) => k.isActive);
  const chosen = SDKS.find((s) => s.id === (sdk ?? project.data?.platform)) ?? SDKS[0];
  const orgSlug = encodeURIComponent(org.slug);

  return (
    <div className="getting-started">
      <h1>Send your first event to {project.data.name}</h1>
      <p className="muted">
        Platform: {platformName(project.data.platform)}. Any Sentry SDK works with Errata: give it this DSN
        and nothing else changes.
      </p>
      {!key ? (
        <Notice kind="error">
          This project has no active DSN key.{' '}
          <Link to={`/settings/${orgSlug}/projects/${encodeURIComponent(projectSlug)}/keys/`}>
            Create or enable one
          </Link>
          .
        </Notice>
      ) : (
        <>
          <h2>DSN</h2>
          <CopyField label="DSN" value={key.dsn.public} />
          <div className="tabs" role="tablist" aria-label="SDK">
            {SDKS.map((s) => (
              <button
                key={s.id}
                type="button"
                role="tab"
                aria-selected={s.id === chosen?.id}
                className={s.id === chosen?.id ? 'tab current' : 'tab'}
                onClick={() => setSdk(s.id)}
              >
                {s.name}
              </button>
            ))}
          </div>
          {chosen && (
            <div role="tabpanel" aria-label={`${chosen.name} setup`}>
              <h2>1. Install the SDK</h2>
              <CodeBlock label="Install command" code={chosen.snippet(key.dsn.public).install} />
              <h2>2. Initialize it with your DSN and send an error</h2>
              <CodeBlock label="Setup code" code={chosen.snippet(key.dsn.public).code} />
            </div>
          )}
        </>
      )}
      {received ? (
        <Notice kind="success">
          Your first event has arrived.{' '}
          <Link to={`/organizations/${orgSlug}/issues/${qs({ project: project.data.id, query: '' })}`}>
            See its issues
          </Link>
        </Notice>
      ) : (
        <p className="waiting" role="status">
          Waiting for the first event…
        </p>
      )}
    </div>
  );
}
