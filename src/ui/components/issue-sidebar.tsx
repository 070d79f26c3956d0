import { useApi } from '../lib/api.js';
import { dateTime, timeAgo } from '../lib/format.js';
import { releasePath } from '../lib/releases.js';
import { Link } from '../lib/router.js';
import type { IssueDetail, ReleaseRef } from '../lib/types.js';
import { TagDistributions } from './event/tags.js';

/** A grouping hash of the issue (`GET …/issues/:id/hashes/`) and the mechanism that computed it. */
interface IssueHash {
  id: string;
  mechanism: string | null;
}

/**
 * What a triager reads first, beside the event: how the issue's events spread over tags, when it
 * was first and last seen, in which releases, who takes part, and what grouped its events.
 */
export function IssueSidebar({ issue, orgSlug }: { issue: IssueDetail; orgSlug: string }) {
  const hashes = useApi<IssueHash[]>(
    `/organizations/${encodeURIComponent(orgSlug)}/issues/${encodeURIComponent(issue.id)}/hashes/`,
  );
  const participants = participantNames(issue);
  return (
    <aside className="issue-sidebar" aria-label="Issue summary">
      <section className="side-essential" aria-labelledby="side-seen">
        <h2 id="side-seen">Seen</h2>
        <dl className="side-list">
          <dt>First seen</dt>
          <dd title={dateTime(issue.firstSeen)}>
            {timeAgo(issue.firstSeen)}
            <ReleaseLink release={issue.firstRelease} orgSlug={orgSlug} />
          </dd>
          <dt>Last seen</dt>
          <dd title={dateTime(issue.lastSeen)}>
            {timeAgo(issue.lastSeen)}
            <ReleaseLink release={issue.lastRelease} orgSlug={orgSlug} />
          </dd>
        </dl>
      </section>
      <section className="side-essential" aria-labelledby="side-releases">
        <h2 id="side-releases">Releases</h2>
        {issue.firstRelease || issue.lastRelease ? (
          <dl className="side-list">
            {issue.firstRelease && (
              <>
                <dt>First release</dt>
                <dd>
                  <ReleaseLink release={issue.firstRelease} orgSlug={orgSlug} bare />
                </dd>
              </>
            )}
            {issue.lastRelease && (
              <>
                <dt>Last release</dt>
                <dd>
                  <ReleaseLink release={issue.lastRelease} orgSlug={orgSlug} bare />
                </dd>
              </>
            )}
          </dl>
        ) : (
          <p className="muted">The events of this issue name no release.</p>
        )}
      </section>
      <section aria-labelledby="side-tags">
        <h2 id="side-tags">Tags across this issue</h2>
        <TagDistributions orgSlug={orgSlug} issue={issue} />
      </section>
      <section aria-labelledby="side-participants">
        <h2 id="side-participants">Participants</h2>
        {participants.length > 0 ? (
          <ul className="side-people">
            {participants.map((name) => (
              <li key={name}>{name}</li>
            ))}
          </ul>
        ) : (
          <p className="muted">No one has taken part yet.</p>
        )}
      </section>
      <section aria-labelledby="side-grouping">
        <h2 id="side-grouping">Grouping</h2>
        {hashes.data ? (
          <ul className="side-hashes">
            {hashes.data.map((h) => (
              <li key={h.id}>
                <span className="muted">{h.mechanism ?? 'unknown mechanism'}</span> <code>{h.id}</code>
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">{hashes.error ? 'The grouping could not be loaded.' : 'Loading…'}</p>
        )}
      </section>
    </aside>
  );
}

/** Who took part: those the API lists, and whoever the issue is assigned to. */
function participantNames(issue: IssueDetail): string[] {
  const names = (issue.participants ?? []).map((p) => p.name || p.email || p.id);
  if (issue.assignedTo) names.push(issue.assignedTo.name);
  return [...new Set(names)];
}

function ReleaseLink({
  release,
  orgSlug,
  bare = false,
}: {
  release: ReleaseRef | null;
  orgSlug: string;
  bare?: boolean;
}) {
  if (!release) return null;
  return (
    <>
      {bare ? '' : ' in '}
      <Link to={releasePath(orgSlug, release.version)} title={release.version}>
        {release.shortVersion ?? release.version}
      </Link>
    </>
  );
}
