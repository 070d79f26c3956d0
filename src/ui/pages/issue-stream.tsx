import { useEffect, useRef, useState } from 'react';
import { AssigneeSelect, PLACEHOLDER } from '../components/assignee-select.js';
import { LevelBadge, StatusBadge, tellingBadges } from '../components/badges.js';
import { ConfirmButton } from '../components/confirm-button.js';
import { EnvironmentFilter } from '../components/environment-filter.js';
import { usePageTitle } from '../components/layout.js';
import { MenuButton } from '../components/menu-button.js';
import { EmptyState, ErrorNotice, Loading, Notice } from '../components/notice.js';
import { Pager } from '../components/pager.js';
import { ProjectFilter } from '../components/project-filter.js';
import { SearchBox } from '../components/search-box.js';
import { Sparkline } from '../components/sparkline.js';
import { errorText, useApi } from '../lib/api.js';
import { count, dateTime, plural, timeAgo } from '../lib/format.js';
import { deleteIssues, IGNORE_CHOICES, ignoreBody, updateIssues } from '../lib/issue-actions.js';
import { Link, navigate, qs, useLocation } from '../lib/router.js';
import { can, useOrg } from '../lib/session.js';
import type { Issue, OrganizationDetail } from '../lib/types.js';

const DEFAULT_QUERY = 'is:unresolved';
const PER_PAGE = 25;

/** The status tabs: each replaces the status terms of the query and keeps the rest of it. */
const TABS = [
  { label: 'Unresolved', terms: ['is:unresolved'] },
  { label: 'For review', terms: ['is:unresolved', 'is:for_review'] },
  { label: 'Ignored', terms: ['is:ignored'] },
  { label: 'Resolved', terms: ['is:resolved'] },
];
const STATUS_TERM = /^is:(unresolved|resolved|ignored|archived|muted|for_review)$/;

const SORTS = [
  { value: 'date', label: 'Last seen' },
  { value: 'new', label: 'First seen' },
  { value: 'freq', label: 'Events' },
  { value: 'user', label: 'Users' },
];

const DEFAULT_PERIOD = '14d';
const PERIODS = [
  { value: '1h', label: 'Last hour' },
  { value: '24h', label: 'Last 24 hours' },
  { value: '7d', label: 'Last 7 days' },
  { value: '14d', label: 'Last 14 days' },
  { value: '30d', label: 'Last 30 days' },
  { value: '90d', label: 'Last 90 days' },
];

/** Splits a query into terms, keeping quoted values ("a b") together. */
function terms(query: string): string[] {
  return query.match(/(?:[^\s"]+|"[^"]*")+/g) ?? [];
}

function withTab(query: string, tab: (typeof TABS)[number]): string {
  return [...tab.terms, ...terms(query).filter((t) => !STATUS_TERM.test(t))].join(' ');
}

function isTab(query: string, tab: (typeof TABS)[number]): boolean {
  const status = terms(query)
    .filter((t) => STATUS_TERM.test(t))
    .sort();
  return status.join(' ') === [...tab.terms].sort().join(' ');
}

function issuesPath(org: string, search: URLSearchParams): string {
  const params = new URLSearchParams();
  // An empty query means "every issue" to the API, so it is always sent.
  params.set('query', search.get('query') ?? DEFAULT_QUERY);
  params.set('sort', search.get('sort') ?? 'date');
  const period = search.get('statsPeriod') ?? DEFAULT_PERIOD;
  params.set('statsPeriod', period);
  // The bars show the chosen period: hourly over a day, daily over 14 days, else buckets that fit it.
  params.set('groupStatsPeriod', period === '24h' || period === '14d' ? period : 'auto');
  params.set('limit', String(PER_PAGE));
  params.set('per_page', String(PER_PAGE));
  for (const key of ['project', 'environment', 'cursor']) {
    const value = search.get(key);
    if (value) params.set(key, value);
  }
  return `/organizations/${encodeURIComponent(org)}/issues/?${params}`;
}

/** The issue stream of an organization, or of one project with `?project=<id>`. */
export function IssueStreamPage() {
  const { org } = useOrg();
  usePageTitle('Issues');
  const { pathname, search } = useLocation();
  const query = search.get('query') ?? DEFAULT_QUERY;
  const projectId = search.get('project') ?? '';
  const period = search.get('statsPeriod') ?? DEFAULT_PERIOD;
  const periodLabel = PERIODS.find((p) => p.value === period)?.label ?? period;
  const loaded = useApi<Issue[]>(issuesPath(org.slug, search));
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const searchBox = useRef<HTMLInputElement>(null);
  const keyAction = useRef<((id: string, key: 'r' | 'i') => void) | null>(null);

  // A new list starts with nothing selected.
  useEffect(() => {
    void loaded.data;
    setSelected(new Set());
  }, [loaded.data]);

  const [help, setHelp] = useState(false);
  // Sentry's keys: "/" searches, j/k move between issues, Enter opens one (the link has focus),
  // r resolves and i ignores it, ? lists them.
  useEffect(() => {
    const titles = () => [...document.querySelectorAll<HTMLAnchorElement>('li.issue .issue-title')];
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement;
      if (e.metaKey || e.ctrlKey || e.altKey) return;
      if (/^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable) return;
      const list = titles();
      const at = list.indexOf(document.activeElement as HTMLAnchorElement);
      const id = at >= 0 ? list[at]?.closest<HTMLElement>('li.issue')?.dataset.issueId : undefined;
      if (e.key === '/') {
        e.preventDefault();
        searchBox.current?.focus();
      } else if (e.key === 'j' || e.key === 'k') {
        e.preventDefault();
        const next = e.key === 'j' ? Math.min(at + 1, list.length - 1) : Math.max(at - 1, 0);
        list[next]?.focus();
      } else if (e.key === '?') {
        setHelp((h) => !h);
      } else if (e.key === 'Escape') {
        setHelp(false);
      } else if ((e.key === 'r' || e.key === 'i') && id) {
        keyAction.current?.(id, e.key);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const setParams = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(search);
    next.delete('cursor');
    for (const [key, value] of Object.entries(changes)) {
      if (value === null) next.delete(key);
      else next.set(key, value);
    }
    const text = next.toString();
    navigate(`${pathname}${text ? `?${text}` : ''}`);
  };

  const issues = loaded.data ?? [];
  const badges = tellingBadges(issues, terms(query));
  const ids = [...selected];
  const act = async (done: string, run: () => Promise<unknown>) => {
    setMessage(null);
    try {
      await run();
      setMessage({ kind: 'success', text: done });
      loaded.reload();
    } catch (e) {
      setMessage({ kind: 'error', text: errorText(e) });
    }
  };
  const update = (done: string, body: Record<string, unknown>) =>
    act(done, () => updateIssues(org.slug, ids, body));
  const n = plural(ids.length, 'issue');
  keyAction.current = (id, key) => {
    if (!can(org, 'event:write')) return;
    const shortId = issues.find((i) => i.id === id)?.shortId ?? 'the issue';
    if (key === 'r')
      void act(`Resolved ${shortId}.`, () =>
        updateIssues(org.slug, [id], { status: 'resolved', statusDetails: {} }),
      );
    else void act(`Ignored ${shortId}.`, () => updateIssues(org.slug, [id], ignoreBody(null)));
  };
  const canWrite = can(org, 'event:write');
  const none = ids.length === 0 || !canWrite;
  const allSelected = issues.length > 0 && issues.every((i) => selected.has(i.id));

  return (
    <div className="stream">
      <div className="page-head">
        <h1>Issues</h1>
        <ProjectFilter org={org} value={projectId} onChange={(v) => setParams({ project: v || null })} />
      </div>

      <nav aria-label="Issue status" className="tabs">
        {TABS.map((tab) => (
          <Link
            key={tab.label}
            to={`${pathname}${qs({ ...Object.fromEntries(search), cursor: null, query: withTab(query, tab) })}`}
            aria-current={isTab(query, tab) ? 'page' : undefined}
          >
            {tab.label}
          </Link>
        ))}
      </nav>

      <div className="filters">
        <SearchBox
          key={query}
          orgSlug={org.slug}
          id="issue-search"
          label="Search issues"
          inputRef={searchBox}
          defaultValue={query}
          placeholder="is:unresolved level:error user.email:ada@example.com  (press / to search)"
          onSearch={(value) => setParams({ query: value })}
        />
        <EnvironmentFilter
          orgSlug={org.slug}
          value={search.get('environment') ?? ''}
          onChange={(environment) => setParams({ environment: environment || null })}
        />
        <label className="inline-field">
          <span>Time range</span>
          <select value={period} onChange={(e) => setParams({ statsPeriod: e.target.value })}>
            {PERIODS.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </select>
        </label>
        <label className="inline-field">
          <span>Sort by</span>
          <select value={search.get('sort') ?? 'date'} onChange={(e) => setParams({ sort: e.target.value })}>
            {SORTS.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
      </div>

      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {help && (
        <section className="shortcuts" aria-label="Keyboard shortcuts">
          <h2>Keyboard shortcuts</h2>
          <dl>
            <dt>/</dt>
            <dd>Search</dd>
            <dt>j / k</dt>
            <dd>Next / previous issue</dd>
            <dt>Enter</dt>
            <dd>Open the issue</dd>
            <dt>r</dt>
            <dd>Resolve the issue</dd>
            <dt>i</dt>
            <dd>Ignore the issue</dd>
            <dt>?</dt>
            <dd>Show or hide this list</dd>
          </dl>
        </section>
      )}

      <section className="issue-list" aria-label="Issues" aria-busy={loaded.loading}>
        <div className="toolbar" role="toolbar" aria-label="Actions on selected issues">
          <input
            type="checkbox"
            aria-label="Select all issues on this page"
            checked={allSelected}
            disabled={issues.length === 0}
            onChange={() => setSelected(allSelected ? new Set() : new Set(issues.map((i) => i.id)))}
          />
          <span className="selected-count">
            {ids.length > 0 ? `${ids.length} selected` : 'Select issues'}
          </span>
          <button
            type="button"
            className="button"
            disabled={none}
            onClick={() => update(`Resolved ${n}.`, { status: 'resolved', statusDetails: {} })}
          >
            Resolve
          </button>
          <button
            type="button"
            className="button"
            disabled={none}
            onClick={() => update(`Marked ${n} unresolved.`, { status: 'unresolved', statusDetails: {} })}
          >
            Unresolve
          </button>
          <MenuButton
            label="Ignore"
            disabled={none}
            items={IGNORE_CHOICES.map((c) => ({
              label: c.label,
              onSelect: () => update(`Ignored ${n}.`, ignoreBody(c.minutes)),
            }))}
          />
          <AssigneeSelect
            label="Assign selected issues"
            placeholder="Assign to…"
            value={PLACEHOLDER}
            disabled={none}
            onChange={(assignedTo) =>
              update(assignedTo ? `Assigned ${n}.` : `Unassigned ${n}.`, { assignedTo })
            }
          />
          <ConfirmButton
            label="Merge"
            title={`Merge ${n}?`}
            disabled={ids.length < 2 || !canWrite}
            onConfirm={() => act(`Merged ${n}.`, () => updateIssues(org.slug, ids, { merge: 1 }))}
          >
            <p>
              Their events will be grouped into one issue from now on. Merging cannot be undone from here.
            </p>
          </ConfirmButton>
          <ConfirmButton
            label="Delete"
            title={`Delete ${n}?`}
            danger
            disabled={ids.length === 0 || !can(org, 'event:admin')}
            onConfirm={() => act(`Deleted ${n}.`, () => deleteIssues(org.slug, ids))}
          >
            <p>The issues and their events will be deleted. New events will open new issues.</p>
          </ConfirmButton>
        </div>

        {loaded.error?.status === 400 ? (
          <Notice kind="error">
            <strong>This search cannot run:</strong> {loaded.error.message}
          </Notice>
        ) : loaded.error ? (
          <ErrorNotice error={loaded.error} />
        ) : loaded.data === undefined ? (
          <Loading what="Loading issues" />
        ) : issues.length === 0 ? (
          <NoIssues org={org} query={query} projectId={projectId} />
        ) : (
          <ul className="rows">
            <li className="row head" aria-hidden="true">
              <span />
              <span>Issue</span>
              <span>{periodLabel}</span>
              <span className="num">Events</span>
              <span className="num">Users</span>
              <span>Assignee</span>
            </li>
            {issues.map((issue) => (
              <IssueRow
                key={issue.id}
                issue={issue}
                badges={badges}
                orgSlug={org.slug}
                periodLabel={periodLabel}
                showProject={!projectId}
                checked={selected.has(issue.id)}
                onToggle={() => {
                  const next = new Set(selected);
                  if (next.has(issue.id)) next.delete(issue.id);
                  else next.add(issue.id);
                  setSelected(next);
                }}
              />
            ))}
          </ul>
        )}

        <Pager previous={loaded.previous} next={loaded.next} onPage={(cursor) => setParams({ cursor })} />
      </section>
    </div>
  );
}

function IssueRow({
  issue,
  orgSlug,
  periodLabel,
  showProject,
  checked,
  onToggle,
  badges,
}: {
  issue: Issue;
  badges: { status: boolean; substatus: boolean };
  orgSlug: string;
  periodLabel: string;
  showProject: boolean;
  checked: boolean;
  onToggle: () => void;
}) {
  // As in Sentry: the window's counts, or those of the events the search's terms match (`filtered`).
  const shown = issue.filtered ?? issue;
  const stats = Object.values(shown.stats ?? issue.stats ?? {})[0];
  const lifetime = issue.lifetime ? ` (${issue.lifetime.count} in all time)` : '';
  const scope = issue.filtered ? 'matching the search' : 'in this range';
  return (
    <li
      className={`row issue level-edge-${issue.level}${issue.hasSeen ? ' seen' : ''}`}
      data-issue-id={issue.id}
    >
      <input type="checkbox" aria-label={`Select ${issue.shortId}`} checked={checked} onChange={onToggle} />
      <div className="issue-main">
        <Link
          className="issue-title"
          to={`/organizations/${encodeURIComponent(orgSlug)}/issues/${issue.id}/`}
        >
          {issue.title}
        </Link>
        <div className="issue-meta">
          <LevelBadge level={issue.level} />
          <StatusBadge issue={issue} showStatus={badges.status} showSubstatus={badges.substatus} />
          <span className="short-id">{issue.shortId}</span>
          {showProject && <span className="project-slug">{issue.project.slug}</span>}
          {issue.culprit && <span className="culprit">{issue.culprit}</span>}
          <span title={`Last seen ${dateTime(issue.lastSeen)}`}>{timeAgo(issue.lastSeen)}</span>
          <span title={`First seen ${dateTime(issue.firstSeen)}`}>first {timeAgo(issue.firstSeen)}</span>
        </div>
      </div>
      <div className="graph">
        <Sparkline points={stats} label={`Events of ${issue.shortId}, ${periodLabel.toLowerCase()}`} />
      </div>
      <div className="num events" title={`${shown.count} events ${scope}${lifetime}`}>
        <span className="label-narrow">Events </span>
        {count(shown.count)}
      </div>
      <div className="num users" title={`${shown.userCount} users ${scope}`}>
        <span className="label-narrow">Users </span>
        {count(shown.userCount)}
      </div>
      <div className="assignee">
        {issue.assignedTo ? issue.assignedTo.name : <span className="muted">—</span>}
      </div>
    </li>
  );
}

/** Why the list is empty, and the next step: create a project, send an event, or widen the search. */
function NoIssues({ org, query, projectId }: { org: OrganizationDetail; query: string; projectId: string }) {
  const slug = encodeURIComponent(org.slug);
  const projects = org.projects ?? [];
  if (projects.length === 0) {
    return (
      <EmptyState title="No projects yet">
        <p>Issues belong to projects. Create one to get a DSN to point your SDK at.</p>
        <Link className="button primary" to={`/organizations/${slug}/projects/new/`}>
          Create a project
        </Link>
      </EmptyState>
    );
  }
  const scope = projectId ? projects.filter((p) => p.id === projectId) : projects;
  const waiting = scope.filter((p) => !p.firstEvent);
  if (waiting.length === scope.length && waiting[0]) {
    return (
      <EmptyState title="No events received yet">
        <p>Point an SDK at the project's DSN and send an error; it shows up here within a second or two.</p>
        <Link
          className="button primary"
          to={`/organizations/${slug}/projects/${encodeURIComponent(waiting[0].slug)}/getting-started/`}
        >
          How to send your first event
        </Link>
      </EmptyState>
    );
  }
  return (
    <EmptyState title="No issues match">
      <p>
        Nothing matches <code>{query || '(every issue)'}</code> in this time range. Try another tab, a longer
        time range, or a different search.
      </p>
    </EmptyState>
  );
}
