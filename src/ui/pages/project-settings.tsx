import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import { ConfirmButton } from '../components/confirm-button.js';
import { usePageTitle } from '../components/layout.js';
import { ErrorNotice, Loading, Notice } from '../components/notice.js';
import { api, errorText, useApi } from '../lib/api.js';
import { PLATFORMS } from '../lib/platforms.js';
import { Link, navigate } from '../lib/router.js';
import { useOrg } from '../lib/session.js';
import type { Project } from '../lib/types.js';

/** The frame of a project's settings: its name and its tabs (general, DSN keys, source maps). */
export function ProjectSettingsFrame({
  projectSlug,
  current,
  children,
}: {
  projectSlug: string;
  current: 'general' | 'keys' | 'source-maps';
  children: ReactNode;
}) {
  const { org } = useOrg();
  const base = `/settings/${encodeURIComponent(org.slug)}/projects/${encodeURIComponent(projectSlug)}/`;
  return (
    <>
      <h1>Project {projectSlug}</h1>
      <nav className="tabs" aria-label="Project settings">
        <Link to={base} aria-current={current === 'general' ? 'page' : undefined}>
          General
        </Link>
        <Link to={`${base}keys/`} aria-current={current === 'keys' ? 'page' : undefined}>
          Client keys (DSN)
        </Link>
        <Link to={`${base}source-maps/`} aria-current={current === 'source-maps' ? 'page' : undefined}>
          Source maps
        </Link>
      </nav>
      {children}
    </>
  );
}

/** Rename a project, change its platform, or delete it. */
export function ProjectSettingsPage({ projectSlug }: { projectSlug: string }) {
  const { org, reload } = useOrg();
  usePageTitle(`${projectSlug} settings`);
  const path = `/projects/${encodeURIComponent(org.slug)}/${encodeURIComponent(projectSlug)}/`;
  const project = useApi<Project>(path);
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [platform, setPlatform] = useState('');
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);

  useEffect(() => {
    if (!project.data) return;
    setName(project.data.name);
    setSlug(project.data.slug);
    setPlatform(project.data.platform ?? 'other');
  }, [project.data]);

  if (project.error) {
    return (
      <ProjectSettingsFrame projectSlug={projectSlug} current="general">
        <ErrorNotice error={project.error} />
      </ProjectSettingsFrame>
    );
  }
  if (!project.data) return <Loading what="Loading the project" />;
  const access = project.data.access;
  const mayWrite = access.includes('project:write');

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setMessage(null);
    try {
      const saved = await api.put<Project>(path, { name: name.trim(), slug: slug.trim(), platform });
      setMessage({ kind: 'success', text: 'Saved.' });
      reload();
      if (saved.slug !== projectSlug) {
        navigate(`/settings/${encodeURIComponent(org.slug)}/projects/${encodeURIComponent(saved.slug)}/`, {
          replace: true,
        });
      } else project.reload();
    } catch (e) {
      setMessage({ kind: 'error', text: errorText(e) });
    }
  };

  return (
    <ProjectSettingsFrame projectSlug={projectSlug} current="general">
      <form className="narrow-form" onSubmit={save}>
        {message && <Notice kind={message.kind}>{message.text}</Notice>}
        <label className="field">
          <span>Name</span>
          <input
            required
            maxLength={50}
            value={name}
            disabled={!mayWrite}
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        <label className="field">
          <span>Slug</span>
          <input
            required
            maxLength={50}
            pattern="[a-z0-9_\-]+"
            value={slug}
            disabled={!mayWrite}
            onChange={(e) => setSlug(e.target.value)}
            aria-describedby="slug-help"
          />
          <small id="slug-help">Lowercase letters, digits, - and _. It appears in URLs and issue ids.</small>
        </label>
        <label className="field">
          <span>Platform</span>
          <select value={platform} disabled={!mayWrite} onChange={(e) => setPlatform(e.target.value)}>
            {PLATFORMS.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        {mayWrite ? (
          <button type="submit" className="button primary">
            Save changes
          </button>
        ) : (
          <p className="muted">You may look at this project's settings but not change them.</p>
        )}
      </form>

      <section className="danger-zone" aria-labelledby="danger-title">
        <h2 id="danger-title">Delete this project</h2>
        <p>Its issues, events and DSN keys go with it. SDKs that still send to its DSN will be refused.</p>
        <ConfirmButton
          label="Delete project"
          title={`Delete project ${project.data.slug}?`}
          danger
          disabled={!access.includes('project:admin')}
          onConfirm={async () => {
            await api.delete(path);
            reload();
            navigate(`/organizations/${encodeURIComponent(org.slug)}/projects/`);
          }}
        >
          <p>This cannot be undone.</p>
        </ConfirmButton>
        {!access.includes('project:admin') && (
          <p className="muted">Only admins of the organization or of the project's team may delete it.</p>
        )}
      </section>
    </ProjectSettingsFrame>
  );
}
