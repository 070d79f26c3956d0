import { type FormEvent, useState } from 'react';
import { usePageTitle } from '../components/layout.js';
import { NewToken } from '../components/new-token.js';
import { EmptyState, ErrorNotice, Loading, Notice } from '../components/notice.js';
import { ScopePicker } from '../components/scope-picker.js';
import { TokenTable } from '../components/token-table.js';
import { api, errorText, useApi } from '../lib/api.js';
import { can, useOrg } from '../lib/session.js';
import type { OrgToken } from '../lib/types.js';

/** Organization tokens (`sntrys_`): for CI and sentry-cli; `org:ci` unless an owner adds scopes. */
export function OrgTokensPage() {
  const { org } = useOrg();
  usePageTitle('Organization tokens');
  const base = `/organizations/${encodeURIComponent(org.slug)}/org-auth-tokens/`;
  const tokens = useApi<OrgToken[]>(base);
  const [name, setName] = useState('');
  const [extra, setExtra] = useState<Set<string>>(new Set());
  const [created, setCreated] = useState<string | null>(null);
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const owner = can(org, 'org:admin');
  const grantable = new Set(org.access);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setMessage(null);
    try {
      const token = await api.post<OrgToken>(base, { name: name.trim(), scopes: ['org:ci', ...extra] });
      setCreated(token.token ?? null);
      setName('');
      setExtra(new Set());
      tokens.reload();
    } catch (e) {
      setMessage({ kind: 'error', text: errorText(e) });
    }
  };

  return (
    <>
      <h1>Organization tokens</h1>
      <p className="muted">
        An organization token belongs to {org.name}, not to a person: use it in CI with sentry-cli to create
        releases, record deploys, associate commits and upload source maps. It carries the organization, so
        sentry-cli needs no <code>--org</code>. Errata does not keep native debug files, so{' '}
        <code>debug-files upload</code> fails with a message saying so.
      </p>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {created ? (
        <NewToken token={created} onDone={() => setCreated(null)} />
      ) : (
        <form className="card token-form" onSubmit={create} aria-labelledby="org-token-title">
          <h2 id="org-token-title">Create a token</h2>
          <label className="field">
            <span>Name</span>
            <input
              required
              maxLength={255}
              value={name}
              placeholder="ci"
              onChange={(e) => setName(e.target.value)}
            />
          </label>
          <p>
            Scopes: <code>org:ci</code> (releases, deploys and commits)
            {owner ? ', and as an owner you may add:' : '.'}
          </p>
          {owner && <ScopePicker value={extra} onChange={setExtra} allowed={grantable} />}
          <button type="submit" className="button primary">
            Create token
          </button>
        </form>
      )}
      <h2>Active tokens</h2>
      {tokens.error ? (
        <ErrorNotice error={tokens.error} />
      ) : !tokens.data ? (
        <Loading what="Loading tokens" />
      ) : tokens.data.length === 0 ? (
        <EmptyState title="No organization tokens">
          <p>Create one above for your CI's sentry-cli.</p>
        </EmptyState>
      ) : (
        <TokenTable
          tokens={tokens.data}
          mayRevoke={can(org, 'org:write')}
          onRevoke={(t) =>
            api.delete(`${base}${t.id}/`).then(() => {
              setMessage({ kind: 'success', text: `Revoked ${t.name}.` });
              tokens.reload();
            })
          }
        />
      )}
    </>
  );
}
