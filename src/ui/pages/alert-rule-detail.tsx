import { useState } from 'react';
import { usePageTitle } from '../components/layout.js';
import { EmptyState, ErrorNotice, Loading } from '../components/notice.js';
import { Pager } from '../components/pager.js';
import type { AlertRule, Delivery } from '../lib/alert-rules.js';
import { useApi } from '../lib/api.js';
import { dateTime, timeAgo } from '../lib/format.js';
import { Link, qs } from '../lib/router.js';
import { useOrg } from '../lib/session.js';
import { RuleErrors, RuleSummary, rulePath, rulesApi, rulesPath, useMayWriteRules } from './alert-rules.js';

const CHANNEL_WORDS: Record<Delivery['channel'], string> = {
  email: 'Email',
  webhook: 'Webhook',
  slack: 'Slack',
  discord: 'Discord',
  teams: 'Teams',
};

const STATUS_CLASS: Record<Delivery['status'], string> = {
  sent: 'status-resolved',
  pending: 'status-ignored',
  failed: 'status-unresolved',
};

/** Sentry's /organizations/:org/alerts/rules/:project/:rule/details/: the rule and its delivery history. */
export function AlertRuleDetailPage({ projectSlug, ruleId }: { projectSlug: string; ruleId: string }) {
  const { org } = useOrg();
  const path = `${rulesApi(org.slug, projectSlug)}${encodeURIComponent(ruleId)}/`;
  const rule = useApi<AlertRule>(path);
  const [cursor, setCursor] = useState<string | null>(null);
  const deliveries = useApi<Delivery[]>(`${path}deliveries/${qs({ cursor })}`);
  usePageTitle(rule.data ? rule.data.name : 'Alert rule');
  const mayWrite = useMayWriteRules(org.slug, projectSlug);

  if (rule.error) return <ErrorNotice error={rule.error} />;
  if (!rule.data) return <Loading what="Loading the rule" />;
  return (
    <section className="rule-detail">
      <p className="breadcrumbs">
        <Link to={rulesPath(org.slug, projectSlug)}>Alert rules</Link> / {projectSlug}
      </p>
      <div className="page-head">
        <h1>{rule.data.name}</h1>
        {mayWrite && (
          <Link className="button" to={rulePath(org.slug, projectSlug, ruleId)}>
            Edit rule
          </Link>
        )}
      </div>
      <RuleErrors rule={rule.data} />
      <RuleSummary rule={rule.data} />
      <h2>Delivery history</h2>
      {deliveries.error ? (
        <ErrorNotice error={deliveries.error} />
      ) : !deliveries.data ? (
        <Loading what="Loading the delivery history" />
      ) : deliveries.data.length === 0 ? (
        <EmptyState title="Nothing sent yet">
          <p>When this rule fires, or a test notification is sent, each message shows here.</p>
        </EmptyState>
      ) : (
        <table className="table deliveries">
          <caption className="visually-hidden">Notifications of this rule, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Channel</th>
              <th scope="col">Target</th>
              <th scope="col">Status</th>
              <th scope="col">Error</th>
              <th scope="col">Tries</th>
            </tr>
          </thead>
          <tbody>
            {deliveries.data.map((d) => (
              <tr key={d.id}>
                <td title={dateTime(d.dateCreated)}>{timeAgo(d.dateCreated)}</td>
                <td>{CHANNEL_WORDS[d.channel]}</td>
                <td className="target">{d.target}</td>
                <td>
                  <span className={`badge ${STATUS_CLASS[d.status]}`}>{d.status}</span>
                  {d.status === 'pending' && d.nextAttemptAt && (
                    <span className="muted"> next try {timeAgo(d.nextAttemptAt)}</span>
                  )}
                </td>
                <td className="error-text">{d.lastError ?? ''}</td>
                <td>
                  {d.tries.length === 0 ? (
                    'none yet'
                  ) : (
                    <ol className="tries">
                      {d.tries.map((t) => (
                        <li key={t.date + String(t.durationMs)}>
                          {dateTime(t.date)}: {t.ok ? 'ok' : `failed${t.error ? ` (${t.error})` : ''}`},{' '}
                          {t.durationMs} ms
                        </li>
                      ))}
                    </ol>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager previous={deliveries.previous} next={deliveries.next} onPage={setCursor} />
    </section>
  );
}
