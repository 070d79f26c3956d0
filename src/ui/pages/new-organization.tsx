import { type FormEvent, useState } from 'react';
import { usePageTitle } from '../components/layout.js';
import { ErrorNotice } from '../components/notice.js';
import { api } from '../lib/api.js';
import { severalRegions } from '../lib/regions.js';
import { Link, navigate } from '../lib/router.js';
import { lastOrg, useSession } from '../lib/session.js';
import type { Organization } from '../lib/types.js';

/**
 * Creates an organization: the first one of someone who belongs to none (who may also wait for an
 * invite), or one more. With several regions, the person chooses where its data is kept.
 */
export function NewOrganizationPage() {
  usePageTitle('Create an organization');
  const session = useSession();
  const back = lastOrg(session.organizations);
  const chooseRegion = severalRegions(session.regions);
  const [name, setName] = useState('');
  const [region, setRegion] = useState(session.regions[0]?.name ?? '');
  const [error, setError] = useState<unknown>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      // One region: the node's own, which the API takes when none is named.
      const org = await api.post<Organization>('/organizations/', chooseRegion ? { name, region } : { name });
      session.refresh();
      navigate(`/organizations/${encodeURIComponent(org.slug)}/projects/new/`);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <div className="centered">
      <form className="card" onSubmit={submit}>
        <h1>Create an organization</h1>
        {back ? (
          <p>
            An organization has its own projects, teams and members; you will be its owner. To join an
            existing one instead, ask a colleague for an invite link.
          </p>
        ) : (
          <p>
            You are signed in as {session.user.email} but belong to no organization yet. Create one, or ask a
            colleague for an invite link.
          </p>
        )}
        <ErrorNotice error={error} />
        <label className="field">
          <span>Organization name</span>
          <input required maxLength={64} value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        {chooseRegion && (
          <label className="field">
            <span>Region</span>
            <select value={region} onChange={(e) => setRegion(e.target.value)} aria-describedby="region-help">
              {session.regions.map((r) => (
                <option key={r.name} value={r.name}>{`${r.name} — ${r.url}`}</option>
              ))}
            </select>
            <small id="region-help">
              Where its projects, events and issues are stored. It cannot be changed afterwards.
            </small>
          </label>
        )}
        <div className="actions">
          <button type="submit" className="button primary">
            Create organization
          </button>
          {back ? (
            <Link to={`/organizations/${encodeURIComponent(back.slug)}/issues/`} className="button">
              Cancel
            </Link>
          ) : (
            <button type="button" className="button" onClick={() => session.signOut()}>
              Sign out
            </button>
          )}
        </div>
      </form>
    </div>
  );
}
