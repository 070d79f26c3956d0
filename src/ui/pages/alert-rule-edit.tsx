import { type FormEvent, type ReactNode, useId, useState } from 'react';
import { usePageTitle } from '../components/layout.js';
import { ErrorNotice, Loading, Notice } from '../components/notice.js';
import {
  ACTION_CHOICES,
  AGE_FILTER,
  type AlertRule,
  CONDITION_CHOICES,
  DISCORD_ACTION,
  EMAIL_ACTION,
  ENVIRONMENT_FILTER,
  EVENT_FREQUENCY,
  FILTER_CHOICES,
  FREQUENCIES,
  INTERVALS,
  LEVEL_FILTER,
  LEVEL_MATCHES,
  LEVELS,
  MATCHES,
  newNode,
  nodeBody,
  type RuleNode,
  SERVICE_ACTION,
  SLACK_ACTION,
  TAG_MATCHES,
  TAGGED_EVENT_FILTER,
  TEAMS_ACTION,
  USER_FREQUENCY,
} from '../lib/alert-rules.js';
import { ApiError, api, errorText, useApi } from '../lib/api.js';
import { Link, navigate } from '../lib/router.js';
import { useOrg } from '../lib/session.js';
import type { Member, OrganizationDetail, Project } from '../lib/types.js';
import {
  RuleErrors,
  rulePath,
  rulesApi,
  rulesPath,
  useMayWriteRules,
  useRulesProject,
} from './alert-rules.js';

interface Draft {
  name: string;
  environment: string;
  actionMatch: string;
  filterMatch: string;
  frequency: number;
  conditions: RuleNode[];
  filters: RuleNode[];
  actions: RuleNode[];
}

const EMPTY: Draft = {
  name: '',
  environment: '',
  actionMatch: 'all',
  filterMatch: 'all',
  frequency: 30,
  conditions: [newNode(CONDITION_CHOICES[0]?.[0] as string)],
  filters: [],
  actions: [newNode(EMAIL_ACTION)],
};

/** The rule's fields as the form edits them: every value as text, `name` dropped. */
function draftOf(rule: AlertRule): Draft {
  const strip = (nodes: RuleNode[]) =>
    nodes.map(({ name: _name, ...fields }) => {
      const out: RuleNode = { id: fields.id };
      for (const [k, v] of Object.entries(fields)) out[k] = v === undefined ? undefined : String(v);
      return out;
    });
  return {
    name: rule.name,
    environment: rule.environment ?? '',
    actionMatch: rule.actionMatch,
    filterMatch: rule.filterMatch,
    frequency: rule.frequency,
    conditions: strip(rule.conditions),
    filters: strip(rule.filters),
    actions: strip(rule.actions),
  };
}

/** Sentry's /organizations/:org/alerts/new/issue/ (`?project=`). */
export function NewAlertRulePage() {
  const { org } = useOrg();
  usePageTitle('New alert rule');
  const project = useRulesProject(org);
  if (!project) return <ErrorNotice error="This organization has no project to alert on." />;
  return <RuleEditor key={project.slug} org={org} project={project} rule={null} />;
}

/** Sentry's /organizations/:org/alerts/rules/:project/:rule/. */
export function EditAlertRulePage({ projectSlug, ruleId }: { projectSlug: string; ruleId: string }) {
  const { org } = useOrg();
  usePageTitle('Edit alert rule');
  const project = (org.projects ?? []).find((p) => p.slug === projectSlug);
  const rule = useApi<AlertRule>(`${rulesApi(org.slug, projectSlug)}${encodeURIComponent(ruleId)}/`);
  if (rule.error) return <ErrorNotice error={rule.error} />;
  if (!rule.data || !project) return <Loading what="Loading the rule" />;
  return <RuleEditor key={rule.data.id} org={org} project={project} rule={rule.data} />;
}

/** A server error under the field it is about. */
function FieldError({ id, errors }: { id: string; errors: string[] | undefined }) {
  if (!errors || errors.length === 0) return null;
  return (
    <p id={id} className="field-error" role="alert">
      {errors.join(' ')}
    </p>
  );
}

function RuleEditor({
  org,
  project,
  rule,
}: {
  org: OrganizationDetail;
  project: Project;
  rule: AlertRule | null;
}) {
  const [draft, setDraft] = useState<Draft>(() => (rule ? draftOf(rule) : EMPTY));
  const [fields, setFields] = useState<Record<string, string[]>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [tested, setTested] = useState<{ ok: boolean; lines: string[] } | null>(null);
  const environments = useApi<{ name: string }[]>(
    `/projects/${encodeURIComponent(org.slug)}/${encodeURIComponent(project.slug)}/environments/`,
  );
  const members = useApi<Member[]>(`/organizations/${encodeURIComponent(org.slug)}/members/`);
  const mayWrite = useMayWriteRules(org.slug, project.slug);
  const ids = { name: useId(), environment: useId(), frequency: useId() };
  const base = rulesApi(org.slug, project.slug);

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));

  const body = () => ({
    name: draft.name,
    environment: draft.environment || null,
    actionMatch: draft.actionMatch,
    filterMatch: draft.filterMatch,
    frequency: draft.frequency,
    conditions: draft.conditions.map(nodeBody),
    filters: draft.filters.map(nodeBody),
    actions: draft.actions.map(nodeBody),
  });

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setFields({});
    try {
      const saved = rule
        ? await api.put<AlertRule>(`${base}${rule.id}/`, body())
        : await api.post<AlertRule>(base, body());
      navigate(rulePath(org.slug, project.slug, saved.id, 'details/'));
    } catch (e) {
      setError(errorText(e));
      if (e instanceof ApiError) setFields(e.fields);
    } finally {
      setBusy(false);
    }
  };

  const sendTest = async () => {
    setTested(null);
    setBusy(true);
    try {
      await api.post(
        `/projects/${encodeURIComponent(org.slug)}/${encodeURIComponent(project.slug)}/rule-actions/`,
        {
          actions: draft.actions.map(nodeBody),
          name: draft.name || 'Test notification',
          ...(rule ? { ruleId: rule.id } : {}),
        },
      );
      setTested({
        ok: true,
        lines: [
          rule ? "Test notification sent. It is in this rule's delivery history." : 'Test notification sent.',
        ],
      });
    } catch (e) {
      const reasons = e instanceof ApiError ? e.fields.actions : undefined;
      setTested({ ok: false, lines: reasons && reasons.length > 0 ? reasons : [errorText(e)] });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="rule-editor">
      <p className="breadcrumbs">
        <Link to={rulesPath(org.slug, project.slug)}>Alert rules</Link> / {project.slug}
      </p>
      <h1>{rule ? `Edit “${rule.name}”` : 'New alert rule'}</h1>
      {rule && <RuleErrors rule={rule} />}
      {!mayWrite && <Notice kind="info">Read only: you may not change this project's alert rules.</Notice>}
      {error && <Notice kind="error">{error}</Notice>}
      <form onSubmit={save} noValidate>
        <fieldset disabled={!mayWrite} className="rule-form">
          <label className="field">
            <span>Rule name</span>
            <input
              value={draft.name}
              maxLength={64}
              aria-describedby={ids.name}
              aria-invalid={fields.name ? true : undefined}
              onChange={(e) => set('name', e.target.value)}
            />
          </label>
          <FieldError id={ids.name} errors={fields.name} />
          <label className="field">
            <span>Environment</span>
            <select
              value={draft.environment}
              aria-describedby={ids.environment}
              onChange={(e) => set('environment', e.target.value)}
            >
              <option value="">All environments</option>
              {(environments.data ?? []).map((env) => (
                <option key={env.name} value={env.name}>
                  {env.name}
                </option>
              ))}
              {draft.environment && !(environments.data ?? []).some((e) => e.name === draft.environment) && (
                <option value={draft.environment}>{draft.environment}</option>
              )}
            </select>
          </label>
          <FieldError id={ids.environment} errors={fields.environment} />

          <NodeSection
            title="When"
            match={{
              label: 'When',
              value: draft.actionMatch,
              onChange: (v) => set('actionMatch', v),
              tail: 'of these happen',
            }}
            nodes={draft.conditions}
            onChange={(nodes) => set('conditions', nodes)}
            choices={CONDITION_CHOICES}
            addLabel="Add a condition"
            errors={[...(fields.actionMatch ?? []), ...(fields.conditions ?? [])]}
            render={(node, change) => <ConditionFields node={node} change={change} />}
            empty="No conditions: every event of an unresolved issue."
          />
          <NodeSection
            title="If"
            match={{
              label: 'If',
              value: draft.filterMatch,
              onChange: (v) => set('filterMatch', v),
              tail: 'of these are true',
            }}
            nodes={draft.filters}
            onChange={(nodes) => set('filters', nodes)}
            choices={FILTER_CHOICES}
            addLabel="Add a filter"
            errors={[...(fields.filterMatch ?? []), ...(fields.filters ?? [])]}
            render={(node, change) => <FilterFields node={node} change={change} />}
            empty="No filters: every issue the conditions pick."
          />
          <NodeSection
            title="Then"
            nodes={draft.actions}
            onChange={(nodes) => set('actions', nodes)}
            choices={ACTION_CHOICES}
            addLabel="Add an action"
            errors={fields.actions}
            render={(node, change) => (
              <ActionFields node={node} change={change} org={org} members={members.data ?? []} />
            )}
            empty="No actions yet: add one."
          />

          <label className="field">
            <span>Perform actions at most once every</span>
            <select
              value={draft.frequency}
              aria-describedby={ids.frequency}
              onChange={(e) => set('frequency', Number(e.target.value))}
            >
              {FREQUENCIES.map(([minutes, words]) => (
                <option key={minutes} value={minutes}>
                  {words}
                </option>
              ))}
              {!FREQUENCIES.some(([m]) => m === draft.frequency) && (
                <option value={draft.frequency}>{draft.frequency} minutes</option>
              )}
            </select>
          </label>
          <FieldError id={ids.frequency} errors={fields.frequency} />

          <div className="actions">
            <button type="submit" className="button primary" disabled={busy}>
              {rule ? 'Save rule' : 'Create rule'}
            </button>
            <button
              type="button"
              className="button"
              disabled={busy || draft.actions.length === 0}
              onClick={sendTest}
            >
              Send test notification
            </button>
            <Link
              className="button"
              to={
                rule
                  ? rulePath(org.slug, project.slug, rule.id, 'details/')
                  : rulesPath(org.slug, project.slug)
              }
            >
              Cancel
            </Link>
          </div>
        </fieldset>
      </form>
      {tested && (
        <Notice kind={tested.ok ? 'success' : 'error'}>
          {tested.ok ? (
            tested.lines[0]
          ) : (
            <>
              The test notification failed:
              <ul>
                {tested.lines.map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
            </>
          )}
        </Notice>
      )}
    </section>
  );
}

/** A list of conditions, filters or actions, each edited in words, with a way to add and remove them. */
function NodeSection(props: {
  title: string;
  match?: { label: string; value: string; onChange: (v: string) => void; tail: string };
  nodes: RuleNode[];
  onChange: (nodes: RuleNode[]) => void;
  choices: [string, string][];
  addLabel: string;
  errors: string[] | undefined;
  render: (node: RuleNode, change: (node: RuleNode) => void) => ReactNode;
  empty: string;
}) {
  const errorId = useId();
  return (
    <fieldset className="node-section" aria-describedby={errorId}>
      <legend>{props.title}</legend>
      {props.match && (
        <p className="match-line">
          {props.match.label}{' '}
          <select
            aria-label={`${props.title}: how many must match`}
            value={props.match.value}
            onChange={(e) => props.match?.onChange(e.target.value)}
          >
            {MATCHES.map(([value, words]) => (
              <option key={value} value={value}>
                {words}
              </option>
            ))}
          </select>{' '}
          {props.match.tail}
        </p>
      )}
      {props.nodes.length === 0 ? (
        <p className="muted">{props.empty}</p>
      ) : (
        <ol className="nodes">
          {props.nodes.map((node, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: nodes have no id of their own; their place is who they are.
            <li key={i} className="node">
              <span className="node-fields">
                {props.render(node, (changed) =>
                  props.onChange(props.nodes.map((n, j) => (j === i ? changed : n))),
                )}
              </span>
              <button
                type="button"
                className="button small"
                aria-label={`Remove ${props.title.toLowerCase()} ${i + 1}`}
                onClick={() => props.onChange(props.nodes.filter((_, j) => j !== i))}
              >
                Remove
              </button>
            </li>
          ))}
        </ol>
      )}
      <label className="inline-field">
        <select
          aria-label={props.addLabel}
          value=""
          onChange={(e) => {
            if (e.target.value) props.onChange([...props.nodes, newNode(e.target.value)]);
          }}
        >
          <option value="">{props.addLabel}…</option>
          {props.choices.map(([id, words]) => (
            <option key={id} value={id}>
              {words}
            </option>
          ))}
        </select>
      </label>
      <FieldError id={errorId} errors={props.errors && props.errors.length > 0 ? props.errors : undefined} />
    </fieldset>
  );
}

type Change = (node: RuleNode) => void;

function Choice(props: {
  label: string;
  node: RuleNode;
  field: string;
  change: Change;
  choices: [string, string][];
}) {
  return (
    <select
      aria-label={props.label}
      value={String(props.node[props.field] ?? '')}
      onChange={(e) => props.change({ ...props.node, [props.field]: e.target.value })}
    >
      {props.choices.map(([value, words]) => (
        <option key={value} value={value}>
          {words}
        </option>
      ))}
    </select>
  );
}

function Text(props: {
  label: string;
  node: RuleNode;
  field: string;
  change: Change;
  type?: 'text' | 'number' | 'url';
  size?: number;
}) {
  return (
    <input
      aria-label={props.label}
      type={props.type ?? 'text'}
      size={props.size}
      {...(props.type === 'number' ? { min: 0, inputMode: 'numeric' as const } : {})}
      value={String(props.node[props.field] ?? '')}
      onChange={(e) => props.change({ ...props.node, [props.field]: e.target.value })}
    />
  );
}

function ConditionFields({ node, change }: { node: RuleNode; change: Change }) {
  if (node.id === EVENT_FREQUENCY || node.id === USER_FREQUENCY) {
    const events = node.id === EVENT_FREQUENCY;
    return (
      <>
        The issue is seen {events ? '' : 'by '}more than{' '}
        <Text
          label={events ? 'Number of events' : 'Number of users'}
          node={node}
          field="value"
          change={change}
          type="number"
          size={6}
        />{' '}
        {events ? 'times' : 'users'} in{' '}
        <Choice label="Interval" node={node} field="interval" change={change} choices={INTERVALS} />
      </>
    );
  }
  return <>{CONDITION_CHOICES.find(([id]) => id === node.id)?.[1] ?? node.name ?? node.id}</>;
}

function FilterFields({ node, change }: { node: RuleNode; change: Change }) {
  switch (node.id) {
    case LEVEL_FILTER:
      return (
        <>
          The event's level is{' '}
          <Choice
            label="Level comparison"
            node={node}
            field="match"
            change={change}
            choices={LEVEL_MATCHES}
          />{' '}
          <Choice label="Level" node={node} field="level" change={change} choices={LEVELS} />
        </>
      );
    case TAGGED_EVENT_FILTER:
      return (
        <>
          The event's tag <Text label="Tag" node={node} field="key" change={change} size={12} />{' '}
          <Choice label="Tag comparison" node={node} field="match" change={change} choices={TAG_MATCHES} />{' '}
          {node.match !== 'is' && node.match !== 'ns' && (
            <Text label="Tag value" node={node} field="value" change={change} size={12} />
          )}
        </>
      );
    case AGE_FILTER:
      return (
        <>
          The issue is{' '}
          <Choice
            label="Older or newer"
            node={node}
            field="comparison_type"
            change={change}
            choices={[
              ['older', 'older'],
              ['newer', 'newer'],
            ]}
          />{' '}
          than <Text label="Age" node={node} field="value" change={change} type="number" size={4} />{' '}
          <Choice
            label="Age unit"
            node={node}
            field="time"
            change={change}
            choices={[
              ['minute', 'minutes'],
              ['hour', 'hours'],
              ['day', 'days'],
              ['week', 'weeks'],
            ]}
          />
        </>
      );
    case ENVIRONMENT_FILTER:
      return (
        <>
          The event's environment is{' '}
          <Text label="Environment name" node={node} field="environment" change={change} size={14} />
        </>
      );
    default:
      return <>{node.name ?? node.id}</>;
  }
}

const CHAT: Record<string, string> = {
  [SLACK_ACTION]: 'Slack incoming webhook',
  [DISCORD_ACTION]: 'Discord webhook',
  [TEAMS_ACTION]: 'Microsoft Teams incoming webhook',
};

function ActionFields({
  node,
  change,
  org,
  members,
}: {
  node: RuleNode;
  change: Change;
  org: OrganizationDetail;
  members: Member[];
}) {
  if (node.id === EMAIL_ACTION) {
    const target = String(node.targetType ?? 'IssueOwners');
    return (
      <>
        Send an email to{' '}
        <select
          aria-label="Email recipients"
          value={target}
          onChange={(e) =>
            change({
              id: EMAIL_ACTION,
              targetType: e.target.value,
              targetIdentifier: '',
              ...(e.target.value === 'IssueOwners' ? { fallthroughType: 'ActiveMembers' } : {}),
            })
          }
        >
          <option value="IssueOwners">the issue's owners</option>
          <option value="Team">a team</option>
          <option value="Member">a member</option>
        </select>{' '}
        {target === 'IssueOwners' && (
          <>
            (Errata has no ownership rules: that is{' '}
            <Choice
              label="Who gets it instead"
              node={node}
              field="fallthroughType"
              change={change}
              choices={[
                ['ActiveMembers', "the project's active members"],
                ['AllMembers', "all the project's members"],
                ['NoOne', 'no one'],
              ]}
            />
            )
          </>
        )}
        {target === 'Team' && (
          <Choice
            label="Team"
            node={node}
            field="targetIdentifier"
            change={change}
            choices={[
              ['', 'Choose a team'],
              ...(org.teams ?? []).map((t): [string, string] => [t.id, `#${t.slug}`]),
            ]}
          />
        )}
        {target === 'Member' && (
          <Choice
            label="Member"
            node={node}
            field="targetIdentifier"
            change={change}
            choices={[
              ['', 'Choose a member'],
              ...members.flatMap((m): [string, string][] =>
                m.user ? [[m.user.id, m.user.email || m.email]] : [],
              ),
            ]}
          />
        )}
      </>
    );
  }
  if (node.id === SERVICE_ACTION) {
    return <>Post to the project's webhooks (the WebHooks plugin's URLs)</>;
  }
  const chat = CHAT[node.id];
  if (chat) {
    return (
      <>
        Post to a {chat} at{' '}
        <Text label={`${chat} URL`} node={node} field="webhookUrl" change={change} type="url" size={40} />
      </>
    );
  }
  return <>{node.name ?? node.id}</>;
}
