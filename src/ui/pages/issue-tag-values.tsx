import { IssueTabs } from '../components/issue-tabs.js';
import { usePageTitle } from '../components/layout.js';
import { EmptyState, ErrorNotice, Loading } from '../components/notice.js';
import { Pager } from '../components/pager.js';
import { useApi } from '../lib/api.js';
import { count, dateTime, timeAgo } from '../lib/format.js';
import { Link, navigate, qs, useLocation } from '../lib/router.js';
import { useOrg } from '../lib/session.js';
import type { IssueDetail, TagValue } from '../lib/types.js';

/**
 * The values of one tag across an issue's events, most frequent first. For `user` these are the
 * people it affects: id, email, username and IP address, with their events and when last seen.
 */
export function IssueTagValuesPage({ issueId, tagKey }: { issueId: string; tagKey: string }) {
  const { org } = useOrg();
  const { pathname, search } = useLocation();
  const base = `/organizations/${encodeURIComponent(org.slug)}/issues/${encodeURIComponent(issueId)}/`;
  const issue = useApi<IssueDetail>(base);
  const values = useApi<TagValue[]>(
    `${base}tags/${encodeURIComponent(tagKey)}/values/${qs({ cursor: search.get('cursor') })}`,
  );
  const users = tagKey === 'user';
  usePageTitle(users ? 'Users of the issue' : `${tagKey} of the issue`);
  if (issue.error) return <ErrorNotice error={issue.error} />;
  const eventsWith = (v: TagValue) =>
    `${base}events/${qs({ query: v.query ?? `${tagKey}:"${v.value.replaceAll('"', '\\"')}"` })}`;

  return (
    <div className="issue-subpage">
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to={`/organizations/${encodeURIComponent(org.slug)}/issues/`}>Issues</Link>
        <span aria-hidden="true"> / </span>
        <Link to={base}>{issue.data?.shortId ?? issueId}</Link>
      </nav>
      <h1>{issue.data?.title ?? 'Issue'}</h1>
      <IssueTabs orgSlug={org.slug} issueId={issueId} />
      <h2>{users ? `Users affected${issue.data ? ` (${count(issue.data.userCount)})` : ''}` : tagKey}</h2>
      {values.error ? (
        <ErrorNotice error={values.error} />
      ) : !values.data ? (
        <Loading what={users ? 'Loading the users' : 'Loading the values'} />
      ) : values.data.length === 0 ? (
        <EmptyState title={users ? 'No users recorded' : 'No values recorded'}>
          <p>
            {users
              ? 'None of the events of this issue named a user. Set one in the SDK (setUser) to see who is affected.'
              : 'None of the events of this issue carry this tag.'}
          </p>
        </EmptyState>
      ) : (
        <div className="table-scroll">
          <table className="table tag-values">
            <thead>
              <tr>
                {users ? (
                  <>
                    <th scope="col">User</th>
                    <th scope="col">ID</th>
                    <th scope="col">Email</th>
                    <th scope="col">Username</th>
                    <th scope="col">IP address</th>
                  </>
                ) : (
                  <th scope="col">Value</th>
                )}
                <th scope="col" className="num">
                  Events
                </th>
                <th scope="col">Last seen</th>
              </tr>
            </thead>
            <tbody>
              {values.data.map((v) => (
                <tr key={v.value}>
                  {users ? (
                    <>
                      <th scope="row">
                        <Link to={eventsWith(v)} title={`Events of ${v.name ?? v.value}`}>
                          {v.name ?? v.value}
                        </Link>
                      </th>
                      <td>{v.id ?? '—'}</td>
                      <td>{v.email ?? '—'}</td>
                      <td>{v.username ?? '—'}</td>
                      <td>{v.ipAddress ?? '—'}</td>
                    </>
                  ) : (
                    <th scope="row">
                      <Link to={eventsWith(v)}>{v.value}</Link>
                    </th>
                  )}
                  <td className="num">{count(v.count)}</td>
                  <td title={dateTime(v.lastSeen)}>{timeAgo(v.lastSeen)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager
        previous={values.previous}
        next={values.next}
        onPage={(cursor) => navigate(`${pathname}${qs({ cursor })}`)}
      />
    </div>
  );
}
