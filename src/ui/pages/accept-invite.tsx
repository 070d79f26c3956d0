import { useState } from 'react';
import { usePageTitle } from '../components/layout.js';
import { ErrorNotice, Loading } from '../components/notice.js';
import { api, useApi } from '../lib/api.js';
import { navigate } from '../lib/router.js';
import { useSession } from '../lib/session.js';
import type { Organization } from '../lib/types.js';

/** Opens an invite link: says which organization and role, and joins it on request. */
export function AcceptInvitePage({ org, member, token }: { org: string; member: string; token: string }) {
  usePageTitle('Join an organization');
  const session = useSession();
  const path = `/accept-invite/${encodeURIComponent(org)}/${encodeURIComponent(member)}/${encodeURIComponent(token)}/`;
  const invite = useApi<{ orgSlug: string; organization: Organization; email: string; role: string }>(path);
  const [error, setError] = useState<unknown>(null);
  const accept = async () => {
    setError(null);
    try {
      await api.post(path);
      session.refresh();
      navigate(`/organizations/${encodeURIComponent(org)}/issues/`);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <main id="main" className="centered">
      <div className="card">
        <h1>Join an organization</h1>
        {invite.error ? (
          <ErrorNotice error={invite.error} />
        ) : !invite.data ? (
          <Loading what="Checking the invite" />
        ) : (
          <>
            <p>
              {invite.data.email} is invited to <strong>{invite.data.organization.name}</strong> as{' '}
              {invite.data.role}. You are signed in as {session.user.email}.
            </p>
            <ErrorNotice error={error} />
            <button type="button" className="button primary" onClick={accept}>
              Join {invite.data.organization.name}
            </button>
          </>
        )}
      </div>
    </main>
  );
}
