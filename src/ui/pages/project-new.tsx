import { type FormEvent, useState } from 'react';
import { usePageTitle } from '../components/layout.js';
import { EmptyState, ErrorNotice } from '../components/notice.js';
import { api } from '../lib/api.js';
import { PLATFORMS } from '../lib/platforms.js';
import { Link, navigate } from '../lib/router.js';
import { useOrg } from '../lib/session.js';
import type { Project } from '../lib/types.js';

/** Creates a project for a team (`POST /teams/:org/:team/projects/`), then shows how to send to it. */
export function NewProjectPage() {
  const { org, reload } = useOrg();
  usePageTitle('Create a project');
  const teams = (org.teams ?? []).filter(
    (t) => org.access.includes('project:write') || t.access.includes('project:write'),
  );
  const [name, setName] = useState('');
  const [platform, setPlatform] = useState('node');
  const [team, setTeam] = useState(teams[0]?.slug ?? '');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const slug = encodeURIComponent(org.slug);

  if (teams.length === 0) {
    return (
      <EmptyState title="You cannot create projects here">
        <p>
          Projects belong to teams. You need to be an admin of the organization, or of one of its teams, to
          create one. {(org.teams ?? []).length === 0 && 'This organization has no team yet: '}
          <Link to={`/settings/${slug}/teams/`}>manage teams</Link>.
        </p>
      </EmptyState>
    );
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const project = await api.post<Project>(`/teams/${slug}/${encodeURIComponent(team)}/projects/`, {
        name: name.trim(),
        platform,
      });
      reload();
      navigate(`/organizations/${slug}/projects/${encodeURIComponent(project.slug)}/getting-started/`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="narrow-form" onSubmit={submit}>
      <h1>Create a project</h1>
      <ErrorNotice error={error} />
      <fieldset className="platforms">
        <legend>Platform</legend>
        {PLATFORMS.map((p) => (
          <label key={p.id} className={`platform${platform === p.id ? ' chosen' : ''}`}>
            <input
              type="radio"
              name="platform"
              value={p.id}
              checked={platform === p.id}
              onChange={() => setPlatform(p.id)}
            />
            {p.name}
          </label>
        ))}
      </fieldset>
      <label className="field">
        <span>Project name</span>
        <input
          required
          maxLength={50}
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="checkout-service"
        />
      </label>
      <label className="field">
        <span>Team</span>
        <select value={team} onChange={(e) => setTeam(e.target.value)}>
          {teams.map((t) => (
            <option key={t.id} value={t.slug}>
              #{t.slug}
            </option>
          ))}
        </select>
      </label>
      <div className="actions">
        <button type="submit" className="button primary" disabled={busy || !name.trim()}>
          {busy ? 'Creating…' : 'Create project'}
        </button>
      </div>
    </form>
  );
}
