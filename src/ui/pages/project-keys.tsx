import { type FormEvent, useState } from 'react';
import { ConfirmButton } from '../components/confirm-button.js';
import { CopyField } from '../components/copy-button.js';
import { usePageTitle } from '../components/layout.js';
import { EmptyState, ErrorNotice, Loading, Notice } from '../components/notice.js';
import { api, errorText, useApi } from '../lib/api.js';
import { dateTime } from '../lib/format.js';
import { useOrg } from '../lib/session.js';
import type { Project, ProjectKey } from '../lib/types.js';
import { ProjectSettingsFrame } from './project-settings.js';

/** A project's DSN keys: copy, create, enable or disable, rate-limit, delete. */
export function ProjectKeysPage({ projectSlug }: { projectSlug: string }) {
  const { org } = useOrg();
  usePageTitle(`${projectSlug} keys`);
  const base = `/projects/${encodeURIComponent(org.slug)}/${encodeURIComponent(projectSlug)}/`;
  const project = useApi<Project>(base);
  const keys = useApi<ProjectKey[]>(`${base}keys/`);
  const [name, setName] = useState('');
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const access = project.data?.access ?? [];
  const mayWrite = access.includes('project:write');

  const run = async (done: string, call: () => Promise<unknown>) => {
    setMessage(null);
    try {
      await call();
      setMessage({ kind: 'success', text: done });
      keys.reload();
    } catch (e) {
      setMessage({ kind: 'error', text: errorText(e) });
    }
  };

  const create = (event: FormEvent) => {
    event.preventDefault();
    void run('Key created.', () => api.post(`${base}keys/`, name.trim() ? { name: name.trim() } : {})).then(
      () => setName(''),
    );
  };

  return (
    <ProjectSettingsFrame projectSlug={projectSlug} current="keys">
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {keys.error ? (
        <ErrorNotice error={keys.error} />
      ) : !keys.data ? (
        <Loading what="Loading keys" />
      ) : keys.data.length === 0 ? (
        <EmptyState title="No DSN keys">
          <p>SDKs need a DSN to send events to this project. Create a key below.</p>
        </EmptyState>
      ) : (
        <ul className="key-list">
          {keys.data.map((key) => (
            <KeyCard
              key={key.id}
              projectKey={key}
              mayWrite={mayWrite}
              mayDelete={access.includes('project:admin')}
              path={`${base}keys/${key.id}/`}
              run={run}
            />
          ))}
        </ul>
      )}
      {mayWrite && (
        <form className="inline-form" onSubmit={create}>
          <label className="inline-field">
            <span>New key name</span>
            <input
              value={name}
              maxLength={64}
              placeholder="Default"
              onChange={(e) => setName(e.target.value)}
            />
          </label>
          <button type="submit" className="button primary">
            Create key
          </button>
        </form>
      )}
    </ProjectSettingsFrame>
  );
}

function KeyCard({
  projectKey: key,
  mayWrite,
  mayDelete,
  path,
  run,
}: {
  projectKey: ProjectKey;
  mayWrite: boolean;
  mayDelete: boolean;
  path: string;
  run: (done: string, call: () => Promise<unknown>) => Promise<void>;
}) {
  const [count, setCount] = useState(key.rateLimit ? String(key.rateLimit.count) : '');
  const [per, setPer] = useState(key.rateLimit ? String(key.rateLimit.window) : '60');
  const saveLimit = (event: FormEvent) => {
    event.preventDefault();
    const rateLimit = count.trim() === '' ? null : { count: Number(count), window: Number(per) };
    void run(rateLimit ? 'Rate limit saved.' : 'Rate limit removed.', () => api.put(path, { rateLimit }));
  };
  return (
    <li className={`card key${key.isActive ? '' : ' inactive'}`}>
      <div className="key-head">
        <h2>{key.name}</h2>
        <span className={`badge ${key.isActive ? 'status-resolved' : 'status-ignored'}`}>
          {key.isActive ? 'Enabled' : 'Disabled'}
        </span>
        <span className="muted">created {dateTime(key.dateCreated)}</span>
      </div>
      <CopyField label={`DSN of ${key.name}`} value={key.dsn.public} />
      <form className="inline-form" onSubmit={saveLimit}>
        <fieldset disabled={!mayWrite}>
          <legend>Rate limit</legend>
          <label className="inline-field">
            <span>At most</span>
            <input
              type="number"
              min={0}
              inputMode="numeric"
              value={count}
              placeholder="no limit"
              onChange={(e) => setCount(e.target.value)}
              size={8}
            />
          </label>
          <label className="inline-field">
            <span>events per</span>
            <select value={per} onChange={(e) => setPer(e.target.value)}>
              <option value="60">minute</option>
              <option value="3600">hour</option>
              <option value="86400">day</option>
            </select>
          </label>
          <button type="submit" className="button">
            Save limit
          </button>
        </fieldset>
      </form>
      <div className="actions">
        <button
          type="button"
          className="button"
          disabled={!mayWrite}
          onClick={() =>
            run(key.isActive ? 'Key disabled: its DSN stops working within seconds.' : 'Key enabled.', () =>
              api.put(path, { isActive: !key.isActive }),
            )
          }
        >
          {key.isActive ? 'Disable' : 'Enable'}
        </button>
        <ConfirmButton
          label="Delete key"
          title={`Delete key ${key.name}?`}
          danger
          disabled={!mayDelete}
          onConfirm={() => run('Key deleted.', () => api.delete(path))}
        >
          <p>SDKs using this DSN will be refused. This cannot be undone.</p>
        </ConfirmButton>
      </div>
    </li>
  );
}
