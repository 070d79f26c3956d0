import { type FormEvent, useState } from 'react';
import { usePageTitle } from '../components/layout.js';
import { ErrorNotice } from '../components/notice.js';
import { api } from '../lib/api.js';
import { navigate } from '../lib/router.js';
import { useSession } from '../lib/session.js';
import type { Organization } from '../lib/types.js';

/** Someone signed in who belongs to no organization yet: create one (or ask for an invite). */
export function NoOrganizationPage() {
  usePageTitle('Create an organization');
  const session = useSession();
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const org = await api.post<Organization>('/organizations/', { name });
      session.refresh();
      navigate(`/organizations/${org.slug}/projects/new/`);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <main id="main" className="centered">
      <form className="card" onSubmit={submit}>
        <h1>Create an organization</h1>
        <p>
          You are signed in as {session.user.email} but belong to no organization. Create one, or ask a
          colleague for an invite link.
        </p>
        <ErrorNotice error={error} />
        <label className="field">
          <span>Organization name</span>
          <input required value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <div className="actions">
          <button type="submit" className="button primary">
            Create organization
          </button>
          <button type="button" className="button" onClick={() => session.signOut()}>
            Sign out
          </button>
        </div>
      </form>
    </main>
  );
}
