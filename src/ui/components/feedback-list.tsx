import { dateTime, timeAgo } from '../lib/format.js';
import { Link } from '../lib/router.js';
import type { UserReport } from '../lib/types.js';

/** Only http(s) URLs become links: a `javascript:` URL sent with feedback would run on click. */
function safeHref(url: string | null): string | null {
  return url && /^https?:\/\//i.test(url) ? url : null;
}

/**
 * User feedback, newest first: what the person wrote, who they are, the page they were on, and the
 * issue and event it is about. `showIssue` is off where the list is already on its issue's page.
 */
export function FeedbackList({
  orgSlug,
  reports,
  issueId,
}: {
  orgSlug: string;
  reports: readonly UserReport[];
  /** The issue the list belongs to; each report names its own otherwise. */
  issueId?: string;
}) {
  const org = encodeURIComponent(orgSlug);
  return (
    <ul className="item-list feedback-list">
      {reports.map((r) => {
        const issue = issueId ?? r.issue?.id ?? null;
        const eventId = r.event.id;
        const href = safeHref(r.url);
        return (
          <li key={r.id} aria-label={`Feedback from ${r.name || r.email || 'someone'}`}>
            <div className="issue-main">
              <blockquote className="feedback-message">{r.comments}</blockquote>
              <div className="issue-meta">
                <span className="feedback-contact">
                  {r.name || <span className="muted">No name</span>}
                  {r.email && (
                    <>
                      {' '}
                      <a href={`mailto:${r.email}`}>{r.email}</a>
                    </>
                  )}
                </span>
                <span title={dateTime(r.dateCreated)}>{timeAgo(r.dateCreated)}</span>
                {r.issue && !issueId && <span className="project-slug">{r.issue.project.slug}</span>}
                {r.source === 'user_report' && <span className="badge">user report</span>}
              </div>
              {r.url && (
                <div className="issue-meta feedback-url">
                  {href ? (
                    <a href={href} rel="noopener noreferrer" target="_blank">
                      {r.url}
                    </a>
                  ) : (
                    r.url
                  )}
                </div>
              )}
              <div className="issue-meta">
                {r.issue && !issueId && (
                  <Link to={`/organizations/${org}/issues/${encodeURIComponent(r.issue.id)}/`}>
                    <span className="short-id">{r.issue.shortId}</span> {r.issue.title}
                  </Link>
                )}
                {issue && eventId && (
                  <Link
                    to={`/organizations/${org}/issues/${encodeURIComponent(issue)}/events/${encodeURIComponent(eventId)}/`}
                  >
                    Event <code>{eventId.slice(0, 8)}</code>
                  </Link>
                )}
                {!issue && r.eventID && (
                  <span className="muted">
                    About event <code>{r.eventID.slice(0, 8)}</code>, not received
                  </span>
                )}
              </div>
            </div>
          </li>
        );
      })}
    </ul>
  );
}
