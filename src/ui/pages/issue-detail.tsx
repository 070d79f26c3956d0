import { useEffect, useState } from 'react';
import { AssigneeSelect, assigneeValue } from '../components/assignee-select.js';
import { LevelBadge, StatusBadge } from '../components/badges.js';
import { ConfirmButton } from '../components/confirm-button.js';
import { EventDetails } from '../components/event/event-details.js';
import { EventTraceLinks } from '../components/event/trace-links.js';
import { EventsChart } from '../components/events-chart.js';
import { FeedbackList } from '../components/feedback-list.js';
import { IssueSidebar } from '../components/issue-sidebar.js';
import { IssueTabs } from '../components/issue-tabs.js';
import { usePageTitle } from '../components/layout.js';
import { MenuButton } from '../components/menu-button.js';
import { ErrorNotice, Loading, Notice } from '../components/notice.js';
import { Pager } from '../components/pager.js';
import { errorText, useApi } from '../lib/api.js';
import { count, dateTime, timeAgo } from '../lib/format.js';
import {
  deleteIssue,
  IGNORE_CHOICES,
  ignoreBody,
  RESOLVE_IN_NEXT_RELEASE,
  resolveInReleaseBody,
  updateIssue,
} from '../lib/issue-actions.js';
import { releasePath } from '../lib/releases.js';
import { Link, navigate, qs } from '../lib/router.js';
import { can, useOrg } from '../lib/session.js';
import type { Event, IssueDetail, ResolvedDetails, UserReport } from '../lib/types.js';

/** One issue: what it is, what to do with it, and one of its events in full. */
export function IssueDetailPage({ issueId, eventId }: { issueId: string; eventId?: string }) {
  const { org } = useOrg();
  const orgSlug = encodeURIComponent(org.slug);
  const base = `/organizations/${orgSlug}/issues/${encodeURIComponent(issueId)}/`;
  const issue = useApi<IssueDetail>(base);
  const event = useApi<Event>(`${base}events/${encodeURIComponent(eventId ?? 'latest')}/`);
  // "Event N of M", oldest first: N counts the issue's events up to this one's time.
  const upTo = useApi<unknown[]>(
    issue.data && event.data
      ? `${base}events/${qs({ start: issue.data.firstSeen, end: event.data.dateCreated, per_page: 1 })}`
      : null,
  );
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  usePageTitle(issue.data ? `${issue.data.shortId} ${issue.data.title}` : 'Issue');
  // Opening an issue marks it seen for the caller, as in Sentry (the stream shows unseen ones bold).
  const unseen = issue.data?.hasSeen === false && can(org, 'event:write');
  useEffect(() => {
    if (unseen) updateIssue(org.slug, issueId, { hasSeen: true }).catch(() => {});
  }, [unseen, org.slug, issueId]);

  if (issue.error) return <ErrorNotice error={issue.error} />;
  if (!issue.data) return <Loading what="Loading the issue" />;
  const data = issue.data;
  const canWrite = can(org, 'event:write');
  // "This release" is the latest one the issue was seen in, as in Sentry.
  const lastRelease = data.lastRelease?.version ?? null;

  const act = async (done: string, body: Record<string, unknown>) => {
    setMessage(null);
    try {
      await updateIssue(org.slug, data.id, body);
      setMessage({ kind: 'success', text: done });
      issue.reload();
    } catch (e) {
      setMessage({ kind: 'error', text: errorText(e) });
    }
  };
  const eventPath = (id: string) => `${base}events/${encodeURIComponent(id)}/`;

  return (
    <article className="issue-detail" aria-labelledby="issue-title">
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to={`/organizations/${orgSlug}/issues/${qs({ project: data.project.id })}`}>
          {data.project.slug}
        </Link>
        <span aria-hidden="true"> / </span>
        <span>{data.shortId}</span>
      </nav>
      <header className="issue-header">
        <div className="issue-heading">
          <h1 id="issue-title">{data.title}</h1>
          <p className="culprit">{data.culprit}</p>
          <div className="issue-meta">
            <LevelBadge level={data.level} />
            {/* An event without an exception is a message (capture_message, a log line). */}
            {data.type === 'default' && <span className="badge kind-message">Message</span>}
            <StatusBadge issue={data} />
            {data.isUnhandled && <span className="badge unhandled">Unhandled</span>}
            {data.status === 'ignored' && typeof data.statusDetails.ignoreUntil === 'string' && (
              <span className="muted">until {dateTime(data.statusDetails.ignoreUntil)}</span>
            )}
            {data.status === 'resolved' && (
              <Resolution details={data.statusDetails as ResolvedDetails} orgSlug={org.slug} />
            )}
          </div>
        </div>
        <dl className="issue-stats">
          <div>
            <dt>Events</dt>
            <dd>{count(data.count)}</dd>
          </div>
          <div>
            <dt>Users</dt>
            <dd>
              <Link to={`${base}tags/user/`} title="Who this issue affects">
                {count(data.userCount)}
              </Link>
            </dd>
          </div>
        </dl>
      </header>

      <div className="actions issue-actions" role="toolbar" aria-label="Issue actions">
        {data.status === 'resolved' ? (
          <button
            type="button"
            className="button"
            disabled={!canWrite}
            onClick={() => act('Marked unresolved.', { status: 'unresolved', statusDetails: {} })}
          >
            Unresolve
          </button>
        ) : (
          <div className="split-button">
            <button
              type="button"
              className="button primary"
              disabled={!canWrite}
              onClick={() =>
                act('Resolved. A new event will reopen it as a regression.', {
                  status: 'resolved',
                  statusDetails: {},
                })
              }
            >
              Resolve
            </button>
            {canWrite && (
              <MenuButton
                label=""
                ariaLabel="More ways to resolve"
                items={[
                  {
                    label: 'Resolve in next release',
                    disabled: !lastRelease,
                    onSelect: () => act('Resolved in next release.', RESOLVE_IN_NEXT_RELEASE),
                  },
                  {
                    label: lastRelease
                      ? `Resolve in this release (${lastRelease})`
                      : 'Resolve in this release',
                    disabled: !lastRelease,
                    onSelect: () =>
                      lastRelease && act(`Resolved in ${lastRelease}.`, resolveInReleaseBody(lastRelease)),
                  },
                ]}
                note={lastRelease ? undefined : 'The events of this issue name no release.'}
              />
            )}
          </div>
        )}
        {data.status === 'ignored' ? (
          <button
            type="button"
            className="button"
            disabled={!canWrite}
            onClick={() => act('No longer ignored.', { status: 'unresolved', statusDetails: {} })}
          >
            Stop ignoring
          </button>
        ) : (
          <MenuButton
            label="Ignore"
            disabled={!canWrite}
            items={IGNORE_CHOICES.map((c) => ({
              label: c.label,
              onSelect: () => act('Ignored.', ignoreBody(c.minutes)),
            }))}
          />
        )}
        <AssigneeSelect
          value={assigneeValue(data.assignedTo)}
          disabled={!canWrite}
          onChange={(assignedTo) => act(assignedTo ? 'Assigned.' : 'Unassigned.', { assignedTo })}
        />
        <button
          type="button"
          className="button"
          aria-pressed={data.isBookmarked}
          disabled={!canWrite}
          onClick={() =>
            act(data.isBookmarked ? 'Bookmark removed.' : 'Bookmarked.', { isBookmarked: !data.isBookmarked })
          }
        >
          {data.isBookmarked ? 'Bookmarked' : 'Bookmark'}
        </button>
        <ConfirmButton
          label="Delete"
          title={`Delete ${data.shortId}?`}
          danger
          disabled={!can(org, 'event:admin')}
          onConfirm={async () => {
            await deleteIssue(org.slug, data.id);
            navigate(`/organizations/${orgSlug}/issues/`);
          }}
        >
          <p>The issue and its events will be deleted. A new event like these will open a new issue.</p>
        </ConfirmButton>
      </div>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}

      <div className="issue-body">
        <div className="issue-main-column">
          <section aria-label="Events over time">
            <EventsChart orgSlug={org.slug} issueId={data.id} />
          </section>
          <IssueFeedback orgSlug={org.slug} issueId={data.id} />
          <IssueTabs orgSlug={org.slug} issueId={data.id} />

          <section className="event" aria-label="Event">
            <div className="event-nav">
              <h2 className="event-id">
                {upTo.hits !== null && !upTo.loading && (
                  <span className="event-position">
                    Event {upTo.hits} of {data.count}{' '}
                  </span>
                )}
                <code>{event.data?.eventID.slice(0, 8) ?? '…'}</code>
                {event.data && (
                  <span className="muted" title={dateTime(event.data.dateCreated)}>
                    {' '}
                    {timeAgo(event.data.dateCreated)}
                    {event.data.environment ? ` · ${event.data.environment}` : ''}
                    {event.data.release && (
                      <>
                        {' · '}
                        <Link to={releasePath(org.slug, event.data.release.version)}>
                          {event.data.release.version}
                        </Link>
                      </>
                    )}
                  </span>
                )}
              </h2>
              <nav className="pager" aria-label="Events of this issue">
                <Link
                  className="button small"
                  to={eventPath('oldest')}
                  aria-disabled={!event.data?.previousEventID}
                >
                  Oldest
                </Link>
                <EventLink id={event.data?.previousEventID} to={eventPath} label="Older" />
                <EventLink id={event.data?.nextEventID} to={eventPath} label="Newer" />
                <Link
                  className="button small"
                  to={eventPath('latest')}
                  aria-disabled={!event.data?.nextEventID}
                >
                  Newest
                </Link>
              </nav>
            </div>
            {event.error ? (
              <ErrorNotice error={event.error} />
            ) : !event.data ? (
              <Loading what="Loading the event" />
            ) : (
              <>
                <EventTraceLinks event={event.data} orgSlug={org.slug} />
                <EventDetails event={event.data} issue={data} orgSlug={org.slug} />
              </>
            )}
          </section>
        </div>
        <IssueSidebar issue={data} orgSlug={org.slug} />
      </div>
    </article>
  );
}

/** What users wrote about this issue's events, newest first, a page at a time; nothing when no one did. */
function IssueFeedback({ orgSlug, issueId }: { orgSlug: string; issueId: string }) {
  const [cursor, setCursor] = useState<string | null>(null);
  const reports = useApi<UserReport[]>(
    `/organizations/${encodeURIComponent(orgSlug)}/issues/${encodeURIComponent(issueId)}/user-feedback/${qs({ cursor })}`,
  );
  if (reports.error) return <ErrorNotice error={reports.error} />;
  if (!reports.data || reports.data.length === 0) return null;
  return (
    <section className="issue-feedback" aria-labelledby="issue-feedback-title">
      <h2 id="issue-feedback-title">User feedback</h2>
      <FeedbackList orgSlug={orgSlug} reports={reports.data} issueId={issueId} />
      {(reports.next || reports.previous) && (
        <Pager previous={reports.previous} next={reports.next} onPage={setCursor} />
      )}
    </section>
  );
}

function EventLink({
  id,
  to,
  label,
}: {
  id: string | null | undefined;
  to: (id: string) => string;
  label: string;
}) {
  if (!id) {
    return (
      <button type="button" className="button small" disabled>
        {label}
      </button>
    );
  }
  return (
    <Link className="button small" to={to(id)}>
      {label}
    </Link>
  );
}

/** How a resolved issue was resolved, when it was by release: "Resolved in 1.2.0". */
function Resolution({ details, orgSlug }: { details: ResolvedDetails; orgSlug: string }) {
  if (typeof details.inRelease === 'string' && details.inRelease !== '') {
    return (
      <span className="resolution">
        Resolved in <Link to={releasePath(orgSlug, details.inRelease)}>{details.inRelease}</Link>
      </span>
    );
  }
  if (details.inNextRelease === true) return <span className="resolution">Resolved in next release</span>;
  return null;
}
