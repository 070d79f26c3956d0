import { useEffect, useState } from 'react';
import { usePageTitle } from '../components/layout.js';
import { ErrorNotice, Loading } from '../components/notice.js';
import { api, useApi } from '../lib/api.js';
import { regionOf, severalRegions } from '../lib/regions.js';
import { useSession } from '../lib/session.js';
import type { Organization, ProjectNotificationSettings, UserNotificationSettings } from '../lib/types.js';

const ME = '/users/me/notification-settings/';

/** Workflow email: whether someone else assigning you an issue sends you an email. */
function WorkflowSettings() {
  const loaded = useApi<UserNotificationSettings>(ME);
  const [settings, setSettings] = useState<UserNotificationSettings | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => setSettings(loaded.data ?? null), [loaded.data]);

  const toggle = async (workflowEmail: boolean) => {
    setError(null);
    setSettings({ workflowEmail });
    try {
      setSettings(await api.put<UserNotificationSettings>(ME, { workflowEmail }));
    } catch (e) {
      setError(e);
      loaded.reload();
    }
  };

  return (
    <section className="card" aria-labelledby="workflow-title">
      <h2 id="workflow-title">Workflow</h2>
      <ErrorNotice error={loaded.error ?? error} />
      {settings ? (
        <label className="check">
          <input
            type="checkbox"
            checked={settings.workflowEmail}
            onChange={(e) => toggle(e.target.checked)}
          />
          Email me when someone else assigns an issue to me
        </label>
      ) : (
        !loaded.error && <Loading what="Loading your settings" />
      )}
    </section>
  );
}

/** Alert email for each project of one organization that the caller reaches. */
function OrgAlertSettings({ org, label }: { org: Organization; label: string }) {
  const path = `${ME}${encodeURIComponent(org.slug)}/`;
  const loaded = useApi<ProjectNotificationSettings>(path);
  const [projects, setProjects] = useState<ProjectNotificationSettings['projects'] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => setProjects(loaded.data?.projects ?? null), [loaded.data]);

  const toggle = async (id: string, alertEmail: boolean) => {
    setError(null);
    setProjects((list) => list?.map((p) => (p.id === id ? { ...p, alertEmail } : p)) ?? null);
    try {
      const saved = await api.put<ProjectNotificationSettings>(path, { projects: [{ id, alertEmail }] });
      setProjects(saved.projects);
    } catch (e) {
      setError(e);
      loaded.reload();
    }
  };

  return (
    <fieldset>
      <legend>{label}</legend>
      <ErrorNotice error={loaded.error ?? error} />
      {!projects ? (
        !loaded.error && <Loading what="Loading its projects" />
      ) : projects.length === 0 ? (
        <p className="muted">No projects of this organization are yours to see.</p>
      ) : (
        projects.map((p) => (
          <label key={p.id} className="check">
            <input type="checkbox" checked={p.alertEmail} onChange={(e) => toggle(p.id, e.target.checked)} />
            {p.name}
          </label>
        ))
      )}
    </fieldset>
  );
}

/** The person's own notification settings (Sentry's User Settings » Notifications). */
export function NotificationsPage() {
  usePageTitle('Notifications');
  const session = useSession();
  const named = severalRegions(session.regions);
  return (
    <div className="notifications">
      <h1>Notifications</h1>
      <p className="muted">Errata emails {session.user.email}. Choose what about.</p>
      <WorkflowSettings />
      <section className="card" aria-labelledby="alerts-title">
        <h2 id="alerts-title">Alerts</h2>
        <p className="muted">Untick a project to get no alert email about it.</p>
        {session.organizations.length === 0 ? (
          <p className="muted">You belong to no organization yet.</p>
        ) : (
          session.organizations.map((org) => {
            const region = named ? regionOf(session.regions, org) : undefined;
            return (
              <OrgAlertSettings
                key={org.id}
                org={org}
                label={region ? `${org.name} — ${region.name.toUpperCase()}` : org.name}
              />
            );
          })
        )}
      </section>
    </div>
  );
}
