import { CheckInTimeline, IncidentIssue, StateBadge, useCheckIns } from '../components/check-ins.js';
import { usePageTitle } from '../components/layout.js';
import { EmptyState, ErrorNotice, Loading } from '../components/notice.js';
import { Pager } from '../components/pager.js';
import { ProjectFilter } from '../components/project-filter.js';
import { useApi } from '../lib/api.js';
import { dateTime, timeAgo } from '../lib/format.js';
import { scheduleInWords, stateOf } from '../lib/monitors.js';
import { Link, qs, useListParams } from '../lib/router.js';
import { useOrg } from '../lib/session.js';
import type { Monitor, MonitorEnvironment, OrganizationDetail } from '../lib/types.js';

const PER_PAGE = 25;
/** How many recent runs each row's timeline shows. */
const TIMELINE_RUNS = 30;

/** The page of one monitor, Sentry's path: `/organizations/:org/crons/:project/:monitor/`. */
export function monitorPath(orgSlug: string, monitor: Pick<Monitor, 'slug' | 'project'>): string {
  return `/organizations/${encodeURIComponent(orgSlug)}/crons/${encodeURIComponent(monitor.project.slug)}/${encodeURIComponent(monitor.slug)}/`;
}

/** The organization's cron monitors, one row per monitor and environment, or one project's. */
export function CronsPage() {
  const { org } = useOrg();
  usePageTitle('Crons');
  const { search, setParams } = useListParams();
  const projectId = search.get('project') ?? '';
  const loaded = useApi<Monitor[]>(
    `/organizations/${encodeURIComponent(org.slug)}/monitors/${qs({
      project: projectId,
      cursor: search.get('cursor'),
      per_page: PER_PAGE,
    })}`,
  );
  const monitors = loaded.data ?? [];

  return (
    <div className="crons">
      <div className="page-head">
        <h1>Crons</h1>
      </div>
      <div className="filters">
        <ProjectFilter org={org} value={projectId} onChange={(v) => setParams({ project: v })} />
      </div>
      <section aria-label="Monitors" aria-busy={loaded.loading}>
        {loaded.error ? (
          <ErrorNotice error={loaded.error} />
        ) : loaded.data === undefined ? (
          <Loading what="Loading monitors" />
        ) : monitors.length === 0 ? (
          <NoMonitors org={org} filtered={projectId !== '' || search.has('cursor')} />
        ) : (
          <ul className="item-list monitor-list">
            {monitors.flatMap((monitor) =>
              monitor.environments.length === 0 ? (
                <MonitorRow key={monitor.id} orgSlug={org.slug} monitor={monitor} environment={null} />
              ) : (
                monitor.environments.map((environment) => (
                  <MonitorRow
                    key={`${monitor.id} ${environment.name}`}
                    orgSlug={org.slug}
                    monitor={monitor}
                    environment={environment}
                  />
                ))
              ),
            )}
          </ul>
        )}
        {(loaded.next || loaded.previous) && (
          <Pager previous={loaded.previous} next={loaded.next} onPage={(cursor) => setParams({ cursor })} />
        )}
      </section>
    </div>
  );
}

function MonitorRow({
  orgSlug,
  monitor,
  environment,
}: {
  orgSlug: string;
  monitor: Monitor;
  environment: MonitorEnvironment | null;
}) {
  const checkIns = useCheckIns(orgSlug, monitor.slug, environment?.name ?? null, TIMELINE_RUNS);
  const runs = environment ? (checkIns.data ?? []) : [];
  const state = stateOf(monitor, environment ?? { status: 'active' }, runs[0]);
  const path = monitorPath(orgSlug, monitor);
  return (
    <li className={`monitor-row state-${state.replace(' ', '-')}`} aria-label={monitor.name}>
      <div className="issue-main">
        <Link className="issue-title" to={path}>
          {monitor.name}
        </Link>
        <div className="issue-meta">
          <StateBadge state={state} />
          {environment && <span className="badge environment">{environment.name}</span>}
          {monitor.isMuted && <span className="badge">muted</span>}
          <span className="project-slug">{monitor.project.slug}</span>
          <span className="schedule">{scheduleInWords(monitor.config)}</span>
        </div>
        <div className="issue-meta">
          {environment?.nextCheckIn && monitor.status !== 'disabled' && (
            <span className="next-run" title={dateTime(environment.nextCheckIn)}>
              Next run {timeAgo(environment.nextCheckIn)}
            </span>
          )}
          {environment?.lastCheckIn && (
            <span title={dateTime(environment.lastCheckIn)}>
              Last check-in {timeAgo(environment.lastCheckIn)}
            </span>
          )}
          {environment?.activeIncident && (
            <IncidentIssue
              orgSlug={orgSlug}
              projectId={monitor.project.id}
              monitorSlug={monitor.slug}
              environment={environment.name}
            />
          )}
        </div>
      </div>
      <div className="monitor-timeline">
        {!environment ? (
          <p className="muted checkin-none">No check-ins yet.</p>
        ) : checkIns.error ? (
          <ErrorNotice error={checkIns.error} />
        ) : checkIns.data === undefined ? (
          <Loading what="Loading check-ins" />
        ) : (
          <CheckInTimeline checkIns={runs} />
        )}
      </div>
    </li>
  );
}

/** Why there are no monitors, and how to make one: a check-in with its schedule makes it. */
function NoMonitors({ org, filtered }: { org: OrganizationDetail; filtered: boolean }) {
  if (filtered) {
    return (
      <EmptyState title="No monitors match">
        <p>No monitor belongs to this project. Try all projects.</p>
      </EmptyState>
    );
  }
  return (
    <EmptyState title="No cron monitors yet">
      <p>
        A monitor appears with its first check-in. Wrap a job with sentry-cli and the project's DSN, or call{' '}
        <code>Sentry.withMonitor</code> with a schedule in your SDK:
      </p>
      <pre className="commands">
        <code>
          {[
            'export SENTRY_DSN=https://…',
            `sentry-cli monitors run -s "0 * * * *" ${org.projects?.[0]?.slug ?? 'my'}-job -- ./job.sh`,
          ].join('\n')}
        </code>
      </pre>
    </EmptyState>
  );
}
