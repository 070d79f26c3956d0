import { useState } from 'react';
import { ConfirmButton } from '../components/confirm-button.js';
import { usePageTitle } from '../components/layout.js';
import { EmptyState, ErrorNotice, Loading, Notice } from '../components/notice.js';
import { Pager } from '../components/pager.js';
import { type AlertRule, frequencyWords, matchWords } from '../lib/alert-rules.js';
import { api, useApi } from '../lib/api.js';
import { dateTime, timeAgo } from '../lib/format.js';
import { Link, navigate, qs, useLocation } from '../lib/router.js';
import { useOrg } from '../lib/session.js';
import type { OrganizationDetail, Project } from '../lib/types.js';

/** The project a rules page is about: `?project=` when it is one of the organization's, else the first. */
export function useRulesProject(org: OrganizationDetail): Project | undefined {
  const { search } = useLocation();
  const projects = org.projects ?? [];
  const wanted = search.get('project');
  return projects.find((p) => p.slug === wanted) ?? projects.find((p) => p.isMember) ?? projects[0];
}

export const rulesPath = (org: string, project: string) =>
  `/organizations/${encodeURIComponent(org)}/alerts/rules/${qs({ project })}`;
export const rulePath = (org: string, project: string, rule: string, page: '' | 'details/' = '') =>
  `/organizations/${encodeURIComponent(org)}/alerts/rules/${encodeURIComponent(project)}/${encodeURIComponent(rule)}/${page}`;
export const rulesApi = (org: string, project: string) =>
  `/projects/${encodeURIComponent(org)}/${encodeURIComponent(project)}/rules/`;

/**
 * Whether the caller may change the project's rules: its scopes on the project as the project's own
 * endpoint answers them (a team admin's included), false while unknown or refused.
 */
export function useMayWriteRules(org: string, project: string | undefined): boolean {
  const loaded = useApi<Project>(
    project ? `/projects/${encodeURIComponent(org)}/${encodeURIComponent(project)}/` : null,
  );
  return loaded.data?.access.includes('alerts:write') ?? false;
}

/** Chooses the project whose rules a page shows. */
export function RulesProjectPicker({ org, project }: { org: OrganizationDetail; project: Project }) {
  return (
    <label className="inline-field">
      <span>Project</span>
      <select value={project.slug} onChange={(e) => navigate(rulesPath(org.slug, e.target.value))}>
        {(org.projects ?? []).map((p) => (
          <option key={p.id} value={p.slug}>
            {p.slug}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Sentry's /organizations/:org/alerts/rules/: a project's issue alert rules, in words. */
export function AlertRulesPage() {
  const { org } = useOrg();
  usePageTitle('Alert rules');
  const project = useRulesProject(org);
  const [cursor, setCursor] = useState<string | null>(null);
  const base = project ? rulesApi(org.slug, project.slug) : null;
  const rules = useApi<AlertRule[]>(base && `${base}${qs({ expand: 'lastTriggered', cursor })}`);
  const [message, setMessage] = useState<string | null>(null);
  const mayWrite = useMayWriteRules(org.slug, project?.slug);

  return (
    <section className="alert-rules">
      <div className="page-head">
        <h1>Alert rules</h1>
        {project && mayWrite && (
          <Link
            className="button primary"
            to={`/organizations/${encodeURIComponent(org.slug)}/alerts/new/issue/${qs({ project: project.slug })}`}
          >
            Create alert rule
          </Link>
        )}
      </div>
      {!project ? (
        <EmptyState title="No projects">
          <p>Alert rules belong to a project. Create a project first.</p>
        </EmptyState>
      ) : (
        <>
          <div className="toolbar">
            <RulesProjectPicker org={org} project={project} />
            {!mayWrite && (
              <span className="muted">Read only: you may not change this project's alert rules.</span>
            )}
          </div>
          {message && <Notice kind="success">{message}</Notice>}
          {rules.error ? (
            <ErrorNotice error={rules.error} />
          ) : !rules.data ? (
            <Loading what="Loading alert rules" />
          ) : rules.data.length === 0 ? (
            <EmptyState title="No alert rules">
              <p>Nobody hears of this project's issues until a rule says when to tell whom.</p>
            </EmptyState>
          ) : (
            <ul className="rule-list">
              {rules.data.map((rule) => (
                <RuleCard
                  key={rule.id}
                  rule={rule}
                  orgSlug={org.slug}
                  projectSlug={project.slug}
                  mayWrite={mayWrite}
                  onDeleted={() => {
                    setMessage(`Rule “${rule.name}” deleted.`);
                    rules.reload();
                  }}
                />
              ))}
            </ul>
          )}
          <Pager previous={rules.previous} next={rules.next} onPage={setCursor} />
        </>
      )}
    </section>
  );
}

/** A rule's sentence: when, if, then, how often. */
export function RuleSummary({ rule }: { rule: AlertRule }) {
  return (
    <dl className="rule-summary">
      <dt>{rule.conditions.length > 0 ? matchWords(rule.actionMatch, 'conditions') : 'When'}</dt>
      <dd>
        {rule.conditions.length > 0 ? (
          <NodeNames nodes={rule.conditions} />
        ) : (
          'Every event of an unresolved issue'
        )}
      </dd>
      {rule.filters.length > 0 && (
        <>
          <dt>{matchWords(rule.filterMatch, 'filters')}</dt>
          <dd>
            <NodeNames nodes={rule.filters} />
          </dd>
        </>
      )}
      <dt>Then</dt>
      <dd>
        <NodeNames nodes={rule.actions} />
      </dd>
      <dt>Environment</dt>
      <dd>{rule.environment ?? 'All environments'}</dd>
      <dt>At most</dt>
      <dd>once every {frequencyWords(rule.frequency)} per issue</dd>
    </dl>
  );
}

/** The sentences of a rule's conditions, filters or actions. */
function NodeNames({ nodes }: { nodes: AlertRule['actions'] }) {
  return (
    <ul>
      {nodes.map((node, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a rule may hold the same node twice; its place tells them apart.
        <li key={i}>{node.name}</li>
      ))}
    </ul>
  );
}

/** What keeps a rule from working (email off), as the API says it. */
export function RuleErrors({ rule }: { rule: AlertRule }) {
  if (!rule.errors || rule.errors.length === 0) return null;
  return (
    <Notice kind="error">
      {rule.errors.map((e) => (
        <span key={e.detail}>{e.detail} </span>
      ))}
    </Notice>
  );
}

function RuleCard(props: {
  rule: AlertRule;
  orgSlug: string;
  projectSlug: string;
  mayWrite: boolean;
  onDeleted: () => void;
}) {
  const { rule, orgSlug, projectSlug } = props;
  return (
    <li className="card rule">
      <div className="rule-head">
        <h2>
          <Link to={rulePath(orgSlug, projectSlug, rule.id, 'details/')}>{rule.name}</Link>
        </h2>
        <span className="muted" title={dateTime(rule.lastTriggered)}>
          {rule.lastTriggered ? `Last fired ${timeAgo(rule.lastTriggered)}` : 'Never fired'}
        </span>
      </div>
      <RuleErrors rule={rule} />
      <RuleSummary rule={rule} />
      <div className="actions">
        <Link className="button" to={rulePath(orgSlug, projectSlug, rule.id, 'details/')}>
          History
        </Link>
        {props.mayWrite && (
          <>
            <Link className="button" to={rulePath(orgSlug, projectSlug, rule.id)}>
              Edit
            </Link>
            <ConfirmButton
              label="Delete"
              title={`Delete rule “${rule.name}”?`}
              confirmLabel="Delete rule"
              danger
              onConfirm={async () => {
                await api.delete(`${rulesApi(orgSlug, projectSlug)}${rule.id}/`);
                props.onDeleted();
              }}
            >
              <p>Its issues will no longer notify anyone through it. This cannot be undone.</p>
            </ConfirmButton>
          </>
        )}
      </div>
    </li>
  );
}
