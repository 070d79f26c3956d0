import { type FormEvent, useState } from 'react';
import { usePageTitle } from '../components/layout.js';
import { NewToken } from '../components/new-token.js';
import { EmptyState, ErrorNotice, Loading, Notice } from '../components/notice.js';
import { ScopePicker } from '../components/scope-picker.js';
import { TokenTable } from '../components/token-table.js';
import { api, errorText, useApi } from '../lib/api.js';
import { useSession } from '../lib/session.js';
import type { UserToken } from '../lib/types.js';

/** Personal tokens: create with chosen scopes (shown once), list with last use, revoke. */
export function UserTokensPage() {
  usePageTitle('Personal tokens');
  const session = useSession();
  const tokens = useApi<UserToken[]>('/api-tokens/');
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Set<string>>(new Set(['org:read', 'project:read', 'event:read']));
  const [expires, setExpires] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setMessage(null);
    if (scopes.size === 0) {
      setMessage({ kind: 'error', text: 'Choose at least one scope.' });
      return;
    }
    try {
      const token = await api.post<UserToken>('/api-tokens/', {
        name: name.trim() || null,
        scopes: [...scopes],
        expiresInDays: expires ? Number(expires) : null,
      });
      setCreated(token.token ?? null);
      setName('');
      tokens.reload();
    } catch (e) {
      setMessage({ kind: 'error', text: errorText(e) });
    }
  };

  return (
    <div className="tokens">
      <h1>Personal tokens</h1>
      <p className="muted">
        A personal token acts as you ({session.user.email}) from scripts and sentry-cli, never beyond your
        role in an organization and never beyond the scopes you give it.
      </p>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {created ? (
        <NewToken token={created} onDone={() => setCreated(null)} />
      ) : (
        <form className="card token-form" onSubmit={create} aria-labelledby="new-token-title">
          <h2 id="new-token-title">Create a token</h2>
          <label className="field">
            <span>Name</span>
            <input
              value={name}
              maxLength={255}
              placeholder="ci-release"
              onChange={(e) => setName(e.target.value)}
            />
          </label>
          <ScopePicker value={scopes} onChange={setScopes} />
          <label className="field">
            <span>Expires</span>
            <select value={expires} onChange={(e) => setExpires(e.target.value)}>
              <option value="">Never</option>
              <option value="7">in 7 days</option>
              <option value="30">in 30 days</option>
              <option value="90">in 90 days</option>
              <option value="365">in a year</option>
            </select>
          </label>
          <button type="submit" className="button primary">
            Create token
          </button>
        </form>
      )}
      <h2>Your tokens</h2>
      {tokens.error ? (
        <ErrorNotice error={tokens.error} />
      ) : !tokens.data ? (
        <Loading what="Loading tokens" />
      ) : tokens.data.length === 0 ? (
        <EmptyState title="No personal tokens">
          <p>Create one above to call the API from a script or from sentry-cli.</p>
        </EmptyState>
      ) : (
        <TokenTable
          tokens={tokens.data}
          onRevoke={(t) =>
            api.delete(`/api-tokens/${t.id}/`).then(() => {
              setMessage({ kind: 'success', text: `Revoked ${t.name ?? `…${t.tokenLastCharacters}`}.` });
              tokens.reload();
            })
          }
        />
      )}
    </div>
  );
}
