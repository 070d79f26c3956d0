import { FeedbackList } from '../components/feedback-list.js';
import { usePageTitle } from '../components/layout.js';
import { EmptyState, ErrorNotice, Loading } from '../components/notice.js';
import { Pager } from '../components/pager.js';
import { ProjectFilter } from '../components/project-filter.js';
import { useApi } from '../lib/api.js';
import { qs, useListParams } from '../lib/router.js';
import { useOrg } from '../lib/session.js';
import type { UserReport } from '../lib/types.js';

const PER_PAGE = 25;

/**
 * The organization's user feedback, newest first, or one project's: by default what is about
 * an unresolved issue or no issue at all (Sentry's default), with `?status=all` every report.
 */
export function FeedbackPage() {
  const { org } = useOrg();
  usePageTitle('User feedback');
  const { search, setParams } = useListParams();
  const projectId = search.get('project') ?? '';
  const all = search.get('status') === 'all';
  // The API reads an empty status as "every report"; qs() leaves empty values out.
  const query = qs({ project: projectId, cursor: search.get('cursor'), per_page: PER_PAGE });
  const loaded = useApi<UserReport[]>(
    `/organizations/${encodeURIComponent(org.slug)}/user-feedback/${query}${all ? `${query ? '&' : '?'}status=` : ''}`,
  );
  const reports = loaded.data ?? [];

  return (
    <div className="feedback">
      <div className="page-head">
        <h1>User feedback</h1>
      </div>
      <div className="filters">
        <ProjectFilter org={org} value={projectId} onChange={(v) => setParams({ project: v })} />
        <label className="inline-field">
          <span>Show</span>
          <select value={all ? 'all' : ''} onChange={(e) => setParams({ status: e.target.value })}>
            {/* Sentry's default: feedback about an unresolved issue, and here also about none. */}
            <option value="">Unresolved</option>
            <option value="all">All</option>
          </select>
        </label>
      </div>
      <section aria-label="Feedback" aria-busy={loaded.loading}>
        {loaded.error ? (
          <ErrorNotice error={loaded.error} />
        ) : loaded.data === undefined ? (
          <Loading what="Loading feedback" />
        ) : reports.length === 0 ? (
          projectId || all || search.has('cursor') ? (
            <EmptyState title="No feedback matches">
              <p>No feedback matches this project and choice. Try all projects, or all feedback.</p>
            </EmptyState>
          ) : (
            <EmptyState title="No user feedback yet">
              <p>
                Feedback arrives from your SDK: <code>Sentry.captureFeedback()</code>, the feedback widget, or
                a user report about an error.
              </p>
            </EmptyState>
          )
        ) : (
          <FeedbackList orgSlug={org.slug} reports={reports} />
        )}
        {(loaded.next || loaded.previous) && (
          <Pager previous={loaded.previous} next={loaded.next} onPage={(cursor) => setParams({ cursor })} />
        )}
      </section>
    </div>
  );
}
