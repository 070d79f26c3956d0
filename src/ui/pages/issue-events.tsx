import type { FormEvent } from 'react';
import { IssueTabs } from '../components/issue-tabs.js';
import { usePageTitle } from '../components/layout.js';
import { ListSearch } from '../components/list-search.js';
import { EmptyState, ErrorNotice, Loading } from '../components/notice.js';
import { Pager } from '../components/pager.js';
import { useApi } from '../lib/api.js';
import { dateTime, timeAgo } from '../lib/format.js';
import { Link, navigate, qs, useLocation } from '../lib/router.js';
import { useOrg } from '../lib/session.js';
import type { EventUser, IssueDetail } from '../lib/types.js';

const PER_PAGE = 25;
/** Tags that have columns of their own, or say nothing per event. */
const COLUMN_TAGS = new Set(['environment', 'release', 'user', 'level', 'handled', 'mechanism']);
/** Tags shown per event besides the columns. */
const SHOWN_TAGS = 3;

interface EventSummary {
  eventID: string;
  dateCreated: string;
  message: string;
  title: string;
  user: EventUser | null;
  tags: { key: string; value: string }[];
}

/** A search term for one tag value, quoted when it holds spaces or quotes. */
export function tagTerm(key: string, value: string): string {
  return /[\s"]/.test(value) ? `${key}:"${value.replaceAll('"', '\\"')}"` : `${key}:${value}`;
}

function userName(user: EventUser | null): string {
  if (!user) return '—';
  return user.name ?? user.email ?? user.username ?? user.id ?? user.ip_address ?? '—';
}

/** The events of one issue, newest first, with Sentry's event search and cursor pages. */
export function IssueEventsPage({ issueId }: { issueId: string }) {
  const { org } = useOrg();
  const { pathname, search } = useLocation();
  const query = search.get('query') ?? '';
  const cursor = search.get('cursor');
  const base = `/organizations/${encodeURIComponent(org.slug)}/issues/${encodeURIComponent(issueId)}/`;
  const issue = useApi<IssueDetail>(base);
  const events = useApi<EventSummary[]>(`${base}events/${qs({ query, cursor, per_page: PER_PAGE })}`);
  usePageTitle(`Events of ${issue.data?.shortId ?? 'the issue'}`);
  const offset = Number(cursor?.split(':')[1] ?? 0) || 0;
  const go = (params: { query?: string; cursor?: string | null }) =>
    navigate(`${pathname}${qs({ query: params.query ?? query, cursor: params.cursor ?? null })}`);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    go({ query: String(new FormData(e.currentTarget).get('query') ?? '').trim() });
  };
  const withTag = (key: string, value: string) => {
    const term = tagTerm(key, value);
    return `${pathname}${qs({ query: query.split(/\s+/).includes(term) ? query : `${query} ${term}`.trim() })}`;
  };
  const list = events.data ?? [];

  return (
    <div className="issue-subpage">
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to={`/organizations/${encodeURIComponent(org.slug)}/issues/`}>Issues</Link>
        <span aria-hidden="true"> / </span>
        <Link to={base}>{issue.data?.shortId ?? issueId}</Link>
      </nav>
      <h1>{issue.data?.title ?? 'Issue'}</h1>
      <IssueTabs orgSlug={org.slug} issueId={issueId} />
      <ListSearch
        id="event-search"
        label="Search events"
        placeholder="environment:production release:1.2.0 user.email:ada@example.com tenant:acme"
        query={query}
        onSubmit={submit}
      />
      {events.error ? (
        <ErrorNotice error={events.error} />
      ) : !events.data ? (
        <Loading what="Loading the events" />
      ) : list.length === 0 ? (
        <EmptyState title="No events match">
          <p>
            No event of this issue matches <code>{query}</code>.
          </p>
        </EmptyState>
      ) : (
        <>
          <p className="muted events-range" aria-live="polite">
            {events.hits !== null
              ? `Events ${offset + 1}–${offset + list.length} of ${events.hits}`
              : `Events ${offset + 1}–${offset + list.length}`}
            {query ? ' matching the search' : ''}
          </p>
          <div className="table-scroll">
            <table className="table event-list">
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">Time</th>
                  <th scope="col">Environment</th>
                  <th scope="col">Release</th>
                  <th scope="col">User</th>
                  <th scope="col">Message</th>
                  <th scope="col">Tags</th>
                </tr>
              </thead>
              <tbody>
                {list.map((event, i) => {
                  const tag = (key: string) => event.tags.find((t) => t.key === key)?.value;
                  const chip = (key: string, value: string | undefined, label = value) =>
                    value === undefined ? (
                      '—'
                    ) : (
                      <Link
                        to={withTag(key, value)}
                        className="tag-filter"
                        title={`Only events with ${key} ${value}`}
                      >
                        {label}
                      </Link>
                    );
                  const n = events.hits === null ? null : events.hits - offset - i;
                  return (
                    <tr key={event.eventID}>
                      <th scope="row">
                        <Link
                          to={`${base}events/${event.eventID}/`}
                          title={n === null ? undefined : `Event ${n} of ${events.hits}`}
                        >
                          <code>{event.eventID.slice(0, 8)}</code>
                        </Link>
                      </th>
                      <td title={dateTime(event.dateCreated)}>{timeAgo(event.dateCreated)}</td>
                      <td>{chip('environment', tag('environment'))}</td>
                      <td>{chip('release', tag('release'))}</td>
                      <td>{chip('user', tag('user'), userName(event.user))}</td>
                      <td className="event-message">{event.message || event.title}</td>
                      <td>
                        <ul className="tag-chips compact">
                          {event.tags
                            .filter((t) => !COLUMN_TAGS.has(t.key))
                            .slice(0, SHOWN_TAGS)
                            .map((t) => (
                              <li key={t.key}>
                                <Link
                                  to={withTag(t.key, t.value)}
                                  title={`Only events with ${t.key} ${t.value}`}
                                >
                                  <span className="tag-key">{t.key}</span>
                                  <span className="tag-value">{t.value}</span>
                                </Link>
                              </li>
                            ))}
                        </ul>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
      <Pager previous={events.previous} next={events.next} onPage={(c) => go({ cursor: c })} />
    </div>
  );
}
