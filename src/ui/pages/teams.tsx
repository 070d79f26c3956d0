import { type FormEvent, useState } from 'react';
import { ConfirmButton } from '../components/confirm-button.js';
import { usePageTitle } from '../components/layout.js';
import { EmptyState, ErrorNotice, Loading, Notice } from '../components/notice.js';
import { api, errorText, useApi } from '../lib/api.js';
import { plural } from '../lib/format.js';
import { can, useOrg } from '../lib/session.js';
import type { Team } from '../lib/types.js';

/** Teams: create, join or leave, delete; each with its members and projects counted. */
export function TeamsPage() {
  const { org, reload } = useOrg();
  usePageTitle('Teams');
  const slug = encodeURIComponent(org.slug);
  const teams = useApi<Team[]>(`/organizations/${slug}/teams/`);
  const [name, setName] = useState('');
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const mayCreate = can(org, 'team:write') || can(org, 'org:write');

  const run = async (done: string, call: () => Promise<unknown>) => {
    setMessage(null);
    try {
      await call();
      setMessage({ kind: 'success', text: done });
      teams.reload();
      reload();
    } catch (e) {
      setMessage({ kind: 'error', text: errorText(e) });
    }
  };

  const create = (event: FormEvent) => {
    event.preventDefault();
    const teamSlug = name
      .trim()
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '-');
    void run(`Created #${teamSlug}.`, () =>
      api.post(`/organizations/${slug}/teams/`, { slug: teamSlug, name: name.trim() }),
    ).then(() => setName(''));
  };

  return (
    <>
      <h1>Teams</h1>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {mayCreate && (
        <form className="inline-form" onSubmit={create}>
          <label className="inline-field">
            <span>New team</span>
            <input
              required
              maxLength={50}
              value={name}
              placeholder="backend"
              onChange={(e) => setName(e.target.value)}
            />
          </label>
          <button type="submit" className="button primary">
            Create team
          </button>
        </form>
      )}
      {teams.error ? (
        <ErrorNotice error={teams.error} />
      ) : !teams.data ? (
        <Loading what="Loading teams" />
      ) : teams.data.length === 0 ? (
        <EmptyState title="No teams yet">
          <p>Projects belong to teams. Create a team first, then a project for it.</p>
        </EmptyState>
      ) : (
        <ul className="cards">
          {teams.data.map((t) => (
            <li key={t.id} className="card">
              <h2>#{t.slug}</h2>
              <p className="muted">
                {t.name !== t.slug && `${t.name} · `}
                {plural(t.memberCount, 'member')}
                {t.projects && ` · ${plural(t.projects.length, 'project')}`}
                {t.isMember && ` · you are a ${t.teamRole === 'admin' ? 'team admin' : 'member'}`}
              </p>
              <div className="actions">
                {t.isMember ? (
                  <button
                    type="button"
                    className="button"
                    onClick={() =>
                      run(`You left #${t.slug}.`, () =>
                        api.delete(`/organizations/${slug}/members/me/teams/${encodeURIComponent(t.slug)}/`),
                      )
                    }
                  >
                    Leave team
                  </button>
                ) : (
                  <button
                    type="button"
                    className="button"
                    onClick={() =>
                      run(`You joined #${t.slug}.`, () =>
                        api.post(`/organizations/${slug}/members/me/teams/${encodeURIComponent(t.slug)}/`),
                      )
                    }
                  >
                    Join team
                  </button>
                )}
                <ConfirmButton
                  label="Delete team"
                  title={`Delete #${t.slug}?`}
                  danger
                  disabled={!t.access.includes('team:admin') && !can(org, 'team:admin')}
                  onConfirm={() =>
                    run(`Deleted #${t.slug}.`, () =>
                      api.delete(`/teams/${slug}/${encodeURIComponent(t.slug)}/`),
                    )
                  }
                >
                  <p>Its projects stay, but lose this team.</p>
                </ConfirmButton>
              </div>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
