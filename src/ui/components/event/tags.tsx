import { useApi } from '../../lib/api.js';
import { count } from '../../lib/format.js';
import { Link, qs } from '../../lib/router.js';
import type { IssueDetail, TagDistribution } from '../../lib/types.js';

/** The event's own tags; each links to the issues that share it. */
export function EventTags({ tags, orgSlug }: { tags: { key: string; value: string }[]; orgSlug: string }) {
  if (tags.length === 0) return <p className="muted">This event has no tags.</p>;
  return (
    <ul className="tag-chips">
      {tags.map((tag) => (
        <li key={tag.key}>
          <Link
            to={`/organizations/${encodeURIComponent(orgSlug)}/issues/${qs({ query: `${tag.key}:"${tag.value}"` })}`}
            title={`Issues with ${tag.key} ${tag.value}`}
          >
            <span className="tag-key">{tag.key}</span>
            <span className="tag-value">{tag.value}</span>
          </Link>
        </li>
      ))}
    </ul>
  );
}

/**
 * How the issue's events spread over each tag's values (`GET …/issues/:id/tags/`); where only the
 * keys are known, their totals.
 */
export function TagDistributions({ orgSlug, issue }: { orgSlug: string; issue: IssueDetail }) {
  const loaded = useApi<TagDistribution[]>(
    `/organizations/${encodeURIComponent(orgSlug)}/issues/${encodeURIComponent(issue.id)}/tags/`,
  );
  const tags: TagDistribution[] = loaded.data ?? issue.tags;
  if (tags.length === 0) return <p className="muted">No tags recorded for this issue.</p>;
  return (
    <div className="distributions">
      {tags.map((tag) => {
        const top = tag.topValues ?? [];
        const cut = tag.key === 'user' ? 0 : sharedStart(top.map((v) => v.value));
        const total = tag.totalValues || top.reduce((s, v) => s + v.count, 0) || 1;
        return (
          <div className="distribution" key={tag.key}>
            <h3>
              {tag.key}
              <span className="muted">
                {' '}
                · {tag.totalValues === 1 ? '1 event' : `${count(tag.totalValues)} events`}
              </span>
            </h3>
            {cut > 0 && (
              <p className="dist-prefix" title={top[0]?.value.slice(0, cut)}>
                All start with <code>{top[0]?.value.slice(0, cut)}</code>
              </p>
            )}
            {top.length > 0 && (
              <ul>
                {top.map((v) => {
                  const percent = Math.round((v.count / total) * 100);
                  return (
                    <li key={v.value}>
                      {/* Users by their name or email (the API's `name`), not `id:1001`. */}
                      <span
                        className="dist-value"
                        title={v.name && v.name !== v.value ? `${v.name} (${v.value})` : v.value}
                      >
                        {tag.key === 'user'
                          ? (v.name ?? v.value)
                          : cut > 0
                            ? `…${v.value.slice(cut)}`
                            : v.value}
                      </span>
                      <span className="dist-bar" aria-hidden="true">
                        <span style={{ width: `${Math.max(percent, 1)}%` }} />
                      </span>
                      <span className="dist-percent">{percent}%</span>
                    </li>
                  );
                })}
              </ul>
            )}
          </div>
        );
      })}
    </div>
  );
}

/** Below this, a shared start is left in place: it is short enough to read past. */
const LONG_START = 12;

/**
 * Where the part that tells values apart begins, when they share a long start (URLs, paths,
 * hostnames): at the last separator of the shared start, so a word is not split. 0 otherwise.
 */
export function sharedStart(values: string[]): number {
  if (values.length < 2) return 0;
  const first = values[0] as string;
  let n = first.length;
  for (const v of values) {
    let i = 0;
    while (i < n && i < v.length && v[i] === first[i]) i++;
    n = i;
  }
  if (n < LONG_START) return 0;
  const lastSeparator = Math.max(
    ...['/', '.', ':', '-', '_', ' ', '@'].map((s) => first.lastIndexOf(s, n - 1)),
  );
  const at = lastSeparator + 1;
  return at >= LONG_START ? at : 0;
}
