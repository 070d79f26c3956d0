import { useApi } from '../lib/api.js';
import { dateTime, timeAgo } from '../lib/format.js';
import { duration, type MonitorState } from '../lib/monitors.js';
import { searchValue } from '../lib/releases.js';
import { Link, qs } from '../lib/router.js';
import type { CheckIn, Issue } from '../lib/types.js';

/** A check-in status as the pages write it: `in_progress` is "in progress". */
export const statusWords = (status: string) => status.replace('_', ' ');

/** A monitor's state (or a check-in's status) as a coloured badge. */
export function StateBadge({ state }: { state: MonitorState | string }) {
  const words = statusWords(state);
  return <span className={`badge cron-${words.replace(' ', '-')}`}>{words}</span>;
}

/** The check-ins of one monitor environment (null: none to ask for), newest first. */
export function useCheckIns(
  orgSlug: string,
  monitorSlug: string,
  environment: string | null,
  perPage: number,
  cursor: string | null = null,
) {
  return useApi<CheckIn[]>(
    environment === null
      ? null
      : `/organizations/${encodeURIComponent(orgSlug)}/monitors/${encodeURIComponent(monitorSlug)}/checkins/${qs(
          {
            environment,
            per_page: perPage,
            cursor,
          },
        )}`,
  );
}

/**
 * Recent runs oldest to newest, left to right: one bar each, coloured by status, as tall as its
 * duration is long beside the longest shown; each names its status, duration and time.
 */
export function CheckInTimeline({ checkIns }: { checkIns: readonly CheckIn[] }) {
  if (checkIns.length === 0) return <p className="muted checkin-none">No check-ins yet.</p>;
  const runs = [...checkIns].reverse();
  const longest = Math.max(1, ...runs.map((c) => c.duration ?? 0));
  return (
    <ol className="checkin-timeline" aria-label={`Last ${checkIns.length} check-ins, oldest first`}>
      {runs.map((c) => {
        const label = `${statusWords(c.status)}, ${duration(c.duration)}, ${dateTime(c.dateCreated)}`;
        const height = c.duration === null ? 100 : 25 + (75 * c.duration) / longest;
        return (
          <li
            key={c.id}
            className={`checkin-run cron-${statusWords(c.status).replace(' ', '-')}`}
            title={label}
          >
            <span className="checkin-bar" style={{ height: `${height}%` }} aria-hidden="true" />
            <span className="visually-hidden">{label}</span>
          </li>
        );
      })}
    </ol>
  );
}

/**
 * The unresolved issue a failing monitor environment opened ("Cron failure: slug"), found by the
 * tags its events carry; nothing while it is still being found or when there is none.
 */
export function IncidentIssue({
  orgSlug,
  projectId,
  monitorSlug,
  environment,
}: {
  orgSlug: string;
  projectId: string;
  monitorSlug: string;
  environment: string;
}) {
  const org = encodeURIComponent(orgSlug);
  const issues = useApi<Issue[]>(
    `/organizations/${org}/issues/${qs({
      project: projectId,
      environment,
      query: `is:unresolved monitor.slug:${searchValue(monitorSlug)}`,
      limit: 1,
    })}`,
  );
  const issue = issues.data?.[0];
  if (!issue) return null;
  return (
    <Link className="incident-issue" to={`/organizations/${org}/issues/${encodeURIComponent(issue.id)}/`}>
      Open issue {issue.shortId}
      <span className="muted" title={dateTime(issue.firstSeen)}>
        {' '}
        since {timeAgo(issue.firstSeen)}
      </span>
    </Link>
  );
}
