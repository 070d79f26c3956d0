import { useState } from 'react';
import { CheckInTimeline, IncidentIssue, StateBadge, useCheckIns } from '../components/check-ins.js';
import { usePageTitle } from '../components/layout.js';
import { EmptyState, ErrorNotice, Loading } from '../components/notice.js';
import { Pager } from '../components/pager.js';
import { useApi } from '../lib/api.js';
import { dateTime, plural, timeAgo } from '../lib/format.js';
import { duration, scheduleInWords, stateOf } from '../lib/monitors.js';
import { Link } from '../lib/router.js';
import { useOrg } from '../lib/session.js';
import type { Monitor, MonitorEnvironment } from '../lib/types.js';

const CHECK_INS_PER_PAGE = 50;
const TIMELINE_RUNS = 30;

/** One monitor: its schedule and settings, each environment's state, and its check-ins listed. */
export function MonitorDetailPage({
  projectSlug,
  monitorSlug,
}: {
  projectSlug: string;
  monitorSlug: string;
}) {
  const { org } = useOrg();
  usePageTitle(`Cron ${monitorSlug}`);
  const monitor = useApi<Monitor>(
    `/projects/${encodeURIComponent(org.slug)}/${encodeURIComponent(projectSlug)}/monitors/${encodeURIComponent(monitorSlug)}/`,
  );
  const crons = `/organizations/${encodeURIComponent(org.slug)}/crons/`;
  const crumbs = (
    <nav className="breadcrumb" aria-label="Breadcrumb">
      <Link to={crons}>Crons</Link>
      <span aria-hidden="true"> / </span>
      <span>{monitor.data?.name ?? monitorSlug}</span>
    </nav>
  );
  if (monitor.error?.status === 404) {
    return (
      <div>
        {crumbs}
        <EmptyState title="Monitor not found">
          <p>
            No monitor <code>{monitorSlug}</code> exists in project {projectSlug}, or you may not see it.
          </p>
        </EmptyState>
      </div>
    );
  }
  if (monitor.error) return <ErrorNotice error={monitor.error} />;
  if (!monitor.data) return <Loading what="Loading the monitor" />;
  const data = monitor.data;
  const c = data.config;
  // Sentry's defaults, which the server applies to a monitor configured without them.
  const minutes = (n: number | null, fallback: number) =>
    n === null ? `${plural(fallback, 'minute')} (default)` : plural(n, 'minute');

  return (
    <article className="monitor-detail" aria-labelledby="monitor-title">
      {crumbs}
      <header className="issue-header">
        <div className="issue-heading">
          <h1 id="monitor-title">{data.name}</h1>
          <p className="issue-meta">
            <span className="project-slug">{data.project.slug}</span>
            <code>{data.slug}</code>
            {data.status === 'disabled' && <StateBadge state="disabled" />}
            {data.isMuted && <span className="badge">muted</span>}
          </p>
        </div>
      </header>
      <dl className="monitor-config">
        <div>
          <dt>Schedule</dt>
          <dd>
            <span className="schedule">{scheduleInWords(c)}</span>{' '}
            <code className="muted crontab">
              {Array.isArray(c.schedule) ? c.schedule.join(' ') : c.schedule}
            </code>
          </dd>
        </div>
        <div>
          <dt>Check-in margin</dt>
          <dd>{minutes(c.checkin_margin, 1)}</dd>
        </div>
        <div>
          <dt>Maximum runtime</dt>
          <dd>{minutes(c.max_runtime, 30)}</dd>
        </div>
        <div>
          <dt>Time zone</dt>
          <dd>{c.timezone ?? 'UTC'}</dd>
        </div>
        <div>
          <dt>Issue after</dt>
          <dd>{plural(c.failure_issue_threshold ?? 1, 'failure')} in a row</dd>
        </div>
        <div>
          <dt>Resolved after</dt>
          <dd>{plural(c.recovery_threshold ?? 1, 'success', 'successes')} in a row</dd>
        </div>
      </dl>
      {data.environments.length === 0 ? (
        <p className="muted">No check-ins yet.</p>
      ) : (
        data.environments.map((e) => (
          <EnvironmentSection key={e.name} orgSlug={org.slug} monitor={data} environment={e} />
        ))
      )}
    </article>
  );
}

function EnvironmentSection({
  orgSlug,
  monitor,
  environment,
}: {
  orgSlug: string;
  monitor: Monitor;
  environment: MonitorEnvironment;
}) {
  const [cursor, setCursor] = useState<string | null>(null);
  const recent = useCheckIns(orgSlug, monitor.slug, environment.name, TIMELINE_RUNS);
  const listed = useCheckIns(orgSlug, monitor.slug, environment.name, CHECK_INS_PER_PAGE, cursor);
  const state = stateOf(monitor, environment, recent.data?.[0]);
  const id = `environment-${environment.name.replace(/\W+/g, '-')}`;
  return (
    <section className="release-section monitor-environment" aria-labelledby={id}>
      <h2 id={id}>
        <span className="badge environment">{environment.name}</span> <StateBadge state={state} />
      </h2>
      <p className="issue-meta">
        {environment.lastCheckIn && (
          <span title={dateTime(environment.lastCheckIn)}>
            Last check-in {timeAgo(environment.lastCheckIn)}
          </span>
        )}
        {environment.nextCheckIn && monitor.status !== 'disabled' && (
          <span className="next-run" title={dateTime(environment.nextCheckIn)}>
            Next run {timeAgo(environment.nextCheckIn)}
          </span>
        )}
        {environment.activeIncident && (
          <IncidentIssue
            orgSlug={orgSlug}
            projectId={monitor.project.id}
            monitorSlug={monitor.slug}
            environment={environment.name}
          />
        )}
      </p>
      {recent.data && <CheckInTimeline checkIns={recent.data} />}
      <h3>Check-ins</h3>
      {listed.error ? (
        <ErrorNotice error={listed.error} />
      ) : !listed.data ? (
        <Loading what="Loading check-ins" />
      ) : listed.data.length === 0 ? (
        <p className="muted">No check-ins yet.</p>
      ) : (
        <div className="table-scroll">
          <table className="grid check-in-table">
            <thead>
              <tr>
                <th scope="col">Status</th>
                <th scope="col">Started</th>
                <th scope="col">Duration</th>
                <th scope="col">Environment</th>
                <th scope="col">Expected</th>
              </tr>
            </thead>
            <tbody>
              {listed.data.map((c) => (
                <tr key={c.id}>
                  <td>
                    <StateBadge state={c.status} />
                  </td>
                  <td title={dateTime(c.dateCreated)}>{dateTime(c.dateCreated)}</td>
                  <td className="num">{duration(c.duration)}</td>
                  <td>{c.environment}</td>
                  <td>{c.expectedTime ? dateTime(c.expectedTime) : <span className="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {(listed.next || listed.previous) && (
        <Pager previous={listed.previous} next={listed.next} onPage={setCursor} />
      )}
    </section>
  );
}
