import { escapeHtml } from '../lib/html.js';
import { ALERT_FRAMES, alertHeadline, frameLine, type IssueAlert, issueLink } from './issue-alert.js';

/** An email as the outbox keeps it, before the recipient is named. */
export interface RenderedEmail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** Subjects are one line; an event title is cut here (mail clients cut far sooner). */
const SUBJECT_CHARS = 200;

/** Text that came with an event, on one line: no header or layout is broken by its newlines. */
export function oneLine(text: string, max: number): string {
  const flat = text.replace(/[\r\n\t\u2028\u2029]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** An epoch-milliseconds time as alerts show it, in UTC: `2026-12-09 14:03:51 UTC`. */
export function alertTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** The issue's facts as label/value pairs, in the order every channel shows them. */
export function alertFields(alert: IssueAlert): [string, string][] {
  const fields: [string, string][] = [['Project', alert.project.name]];
  if (alert.event.environment) fields.push(['Environment', alert.event.environment]);
  if (alert.event.release) fields.push(['Release', alert.event.release]);
  fields.push(
    ['Level', alert.issue.level],
    ['Events', String(alert.issue.count)],
    ['First seen', alertTime(alert.issue.firstSeen)],
  );
  return fields;
}

/**
 * The issue alert email: a subject in Sentry's form (`[Errata] BACKEND-1Z - TypeError: …`), a
 * plain-text part and an HTML part saying the same, with every value from the event escaped.
 */
export function renderIssueAlertEmail(alert: IssueAlert): RenderedEmail {
  const link = issueLink(alert, 'alert_email');
  const frames = alert.frames.slice(0, ALERT_FRAMES).map(frameLine);
  const fields = alertFields(alert);
  const subject = oneLine(
    `[Errata]${alert.test ? ' TEST' : ''} ${alert.issue.shortId} - ${alert.issue.title}`,
    SUBJECT_CHARS,
  );

  const text = [
    alertHeadline(alert),
    '',
    alert.issue.title,
    ...(alert.issue.culprit ? [alert.issue.culprit] : []),
    '',
    ...fields.map(([label, value]) => `${label}: ${value}`),
    ...(frames.length > 0
      ? ['', 'Stack trace (most recent call first):', ...frames.map((f) => `  at ${f}`)]
      : []),
    ...(alert.rules.length > 0 ? ['', `Rule: ${alert.rules.join(', ')}`] : []),
    '',
    `View the issue: ${link}`,
    '',
  ].join('\n');

  const rows = fields
    .map(
      ([label, value]) =>
        `<tr><td style="padding:2px 12px 2px 0;color:#6b6478">${escapeHtml(label)}</td><td>${escapeHtml(value)}</td></tr>`,
    )
    .join('');
  const trace =
    frames.length > 0
      ? `<p style="margin:16px 0 4px;color:#6b6478">Stack trace (most recent call first)</p><pre style="margin:0;padding:8px;background:#f6f5f8;font-size:12px;white-space:pre-wrap">${frames.map((f) => `at ${escapeHtml(f)}`).join('\n')}</pre>`
      : '';
  const html = [
    '<!doctype html><html><body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#2b2233">',
    `<p style="color:#6b6478;margin:0 0 8px">${escapeHtml(alertHeadline(alert))}</p>`,
    `<h2 style="margin:0 0 4px;font-size:18px"><a href="${escapeHtml(link)}" style="color:#2b2233">${escapeHtml(alert.issue.title)}</a></h2>`,
    alert.issue.culprit
      ? `<p style="margin:0 0 12px;color:#6b6478">${escapeHtml(alert.issue.culprit)}</p>`
      : '',
    `<table style="border-collapse:collapse;font-size:14px">${rows}</table>`,
    trace,
    alert.rules.length > 0
      ? `<p style="margin:16px 0 0;color:#6b6478">Rule: ${escapeHtml(alert.rules.join(', '))}</p>`
      : '',
    `<p style="margin:16px 0 0"><a href="${escapeHtml(link)}">View the issue on Errata</a></p>`,
    '</body></html>',
  ].join('');

  return { subject, text, html };
}
