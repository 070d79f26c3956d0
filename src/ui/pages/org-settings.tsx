import { type FormEvent, useState } from 'react';
import { usePageTitle } from '../components/layout.js';
import { Notice } from '../components/notice.js';
import { api, errorText } from '../lib/api.js';
import { regionOf, severalRegions } from '../lib/regions.js';
import { navigate } from '../lib/router.js';
import { can, useOrg, useSession } from '../lib/session.js';
import type { OrganizationDetail } from '../lib/types.js';

/** The organization's name, slug, default role and open membership; its region, read only. */
export function OrgSettingsPage() {
  const { org, reload } = useOrg();
  const session = useSession();
  usePageTitle(`${org.name} settings`);
  const [name, setName] = useState(org.name);
  const [slug, setSlug] = useState(org.slug);
  const [defaultRole, setDefaultRole] = useState(org.defaultRole);
  const [openMembership, setOpenMembership] = useState(org.openMembership);
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const mayWrite = can(org, 'org:write');
  const mayRename = can(org, 'org:admin');
  const region = regionOf(session.regions, org);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setMessage(null);
    try {
      const saved = await api.put<OrganizationDetail>(`/organizations/${encodeURIComponent(org.slug)}/`, {
        name: name.trim(),
        ...(slug.trim() !== org.slug ? { slug: slug.trim() } : {}),
        defaultRole,
        openMembership,
      });
      setMessage({ kind: 'success', text: 'Saved.' });
      session.refresh();
      if (saved.slug !== org.slug)
        navigate(`/settings/${encodeURIComponent(saved.slug)}/`, { replace: true });
      else reload();
    } catch (e) {
      setMessage({ kind: 'error', text: errorText(e) });
    }
  };

  return (
    <>
      <h1>Organization settings</h1>
      <form className="narrow-form" onSubmit={save}>
        {message && <Notice kind={message.kind}>{message.text}</Notice>}
        {severalRegions(session.regions) && (
          <p className="org-region">
            Region: <strong>{region?.name ?? 'unknown'}</strong> ({org.links.regionUrl})
            <br />
            <small className="muted">Where its projects, events and issues are stored.</small>
          </p>
        )}
        <fieldset disabled={!mayWrite}>
          <label className="field">
            <span>Name</span>
            <input required maxLength={64} value={name} onChange={(e) => setName(e.target.value)} />
          </label>
          <label className="field">
            <span>Slug</span>
            <input
              required
              maxLength={50}
              value={slug}
              disabled={!mayRename}
              onChange={(e) => setSlug(e.target.value)}
              aria-describedby="org-slug-help"
            />
            <small id="org-slug-help">
              Changing it changes every URL of the organization{mayRename ? '' : ' (owners only)'}.
            </small>
          </label>
          <label className="field">
            <span>Default role of new members</span>
            <select value={defaultRole} onChange={(e) => setDefaultRole(e.target.value)}>
              {org.orgRoleList.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={openMembership}
              onChange={(e) => setOpenMembership(e.target.checked)}
            />
            Open membership: members may join any team and see every project
          </label>
          <button type="submit" className="button primary">
            Save changes
          </button>
        </fieldset>
        {!mayWrite && <p className="muted">Only managers and owners may change these settings.</p>}
      </form>
    </>
  );
}
