import { type FormEvent, useState } from 'react';
import { ConfirmButton } from '../components/confirm-button.js';
import { CopyField } from '../components/copy-button.js';
import { usePageTitle } from '../components/layout.js';
import { ErrorNotice, Loading, Notice } from '../components/notice.js';
import { api, errorText, useApi } from '../lib/api.js';
import { timeAgo } from '../lib/format.js';
import { can, useOrg, useSession } from '../lib/session.js';
import type { Member, MemberDetail } from '../lib/types.js';

const RANK = ['member', 'admin', 'manager', 'owner'];

/** Members and invites: invite by email with a role and teams, change roles, remove. */
export function MembersPage() {
  const { org } = useOrg();
  const session = useSession();
  usePageTitle('Members');
  const base = `/organizations/${encodeURIComponent(org.slug)}/members/`;
  const members = useApi<Member[]>(base);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState(org.defaultRole);
  const [teams, setTeams] = useState<Set<string>>(new Set());
  const [invite, setInvite] = useState<{ email: string; link: string | null } | null>(null);
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const myRank = RANK.indexOf(org.role ?? 'member');
  const roles = org.orgRoleList.filter((r) => RANK.indexOf(r.id) <= myRank);
  const mayInvite = can(org, 'member:invite');
  const mayChange = can(org, 'member:write');
  const mayRemove = can(org, 'member:admin');

  const run = async (done: string, call: () => Promise<unknown>) => {
    setMessage(null);
    try {
      await call();
      setMessage({ kind: 'success', text: done });
      members.reload();
    } catch (e) {
      setMessage({ kind: 'error', text: errorText(e) });
      throw e;
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await run(`Invited ${email}.`, async () => {
      const member = await api.post<MemberDetail>(base, {
        email: email.trim(),
        orgRole: role,
        teams: [...teams],
      });
      setInvite({ email: member.email, link: member.invite_link });
      setEmail('');
      setTeams(new Set());
    }).catch(() => {});
  };

  return (
    <>
      <h1>Members</h1>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {invite?.link && (
        <div className="card">
          <p>
            Send this link to {invite.email}. Whoever opens it while signed in with that address joins{' '}
            {org.name}.
          </p>
          <CopyField label="Invite link" value={invite.link} />
        </div>
      )}
      {mayInvite && (
        <form className="card inline-form invite" onSubmit={submit} aria-labelledby="invite-title">
          <h2 id="invite-title">Invite a member</h2>
          <label className="inline-field">
            <span>Email</span>
            <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
          </label>
          <label className="inline-field">
            <span>Role</span>
            <select value={role} onChange={(e) => setRole(e.target.value)}>
              {roles.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          </label>
          {(org.teams ?? []).length > 0 && (
            <fieldset className="team-checks">
              <legend>Teams</legend>
              {(org.teams ?? []).map((t) => (
                <label key={t.id} className="check">
                  <input
                    type="checkbox"
                    checked={teams.has(t.slug)}
                    onChange={(e) => {
                      const next = new Set(teams);
                      if (e.target.checked) next.add(t.slug);
                      else next.delete(t.slug);
                      setTeams(next);
                    }}
                  />
                  #{t.slug}
                </label>
              ))}
            </fieldset>
          )}
          <button type="submit" className="button primary">
            Invite
          </button>
        </form>
      )}
      {members.error ? (
        <ErrorNotice error={members.error} />
      ) : !members.data ? (
        <Loading what="Loading members" />
      ) : (
        <div className="table-scroll">
          <table className="grid">
            <thead>
              <tr>
                <th scope="col">Member</th>
                <th scope="col">Role</th>
                <th scope="col">Joined</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {members.data.map((m) => {
                const self = m.user?.id === session.user.id;
                const manageable = RANK.indexOf(m.orgRole) <= myRank;
                return (
                  <tr key={m.id}>
                    <td>
                      {m.user?.name && m.user.name !== m.email ? m.user.name : m.email}
                      {m.user?.name && m.user.name !== m.email && <div className="muted">{m.email}</div>}
                      {m.pending && <span className="badge">Invited</span>}
                      {self && <span className="badge">You</span>}
                    </td>
                    <td>
                      <label>
                        <span className="visually-hidden">Role of {m.email}</span>
                        <select
                          value={m.orgRole}
                          disabled={!mayChange || !manageable}
                          onChange={(e) =>
                            run(`${m.email} is now ${e.target.value}.`, () =>
                              api.put(`${base}${m.id}/`, { orgRole: e.target.value }),
                            ).catch(() => {})
                          }
                        >
                          {org.orgRoleList.map((r) => (
                            <option key={r.id} value={r.id} disabled={RANK.indexOf(r.id) > myRank}>
                              {r.name}
                            </option>
                          ))}
                        </select>
                      </label>
                    </td>
                    <td>
                      {m.pending ? 'invited ' : ''}
                      {timeAgo(m.dateCreated)}
                    </td>
                    <td>
                      <ConfirmButton
                        label={self ? 'Leave' : m.pending ? 'Cancel invite' : 'Remove'}
                        title={self ? `Leave ${org.name}?` : `Remove ${m.email}?`}
                        danger
                        disabled={!self && (!mayRemove || !manageable)}
                        onConfirm={() =>
                          run(self ? `You left ${org.name}.` : `Removed ${m.email}.`, () =>
                            api.delete(`${base}${m.id}/`),
                          ).then(() => {
                            if (self) session.refresh();
                          })
                        }
                      >
                        <p>
                          {self
                            ? 'You will lose access to its projects and issues until someone invites you again.'
                            : 'They lose access to the organization at once.'}
                        </p>
                      </ConfirmButton>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
