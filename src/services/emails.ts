import { escapeHtml } from '../lib/html.js';
import type { OutgoingEmail } from './mailer.js';

// The emails Errata writes: each a plain-text body and the same in simple HTML. Everything that
// comes from people or events (names, issue titles) is escaped in the HTML and kept to one line in
// subjects.

const SUBJECT_MAX = 180;

/** One line of at most `max` characters: a subject never carries a line break from event data. */
function oneLine(text: string, max = SUBJECT_MAX): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Paragraphs of text, each with links of its own: `[text, href?]` pieces. */
type Piece = string | { readonly text: string; readonly href: string };

function compose(to: string, subject: string, paragraphs: readonly (readonly Piece[])[]): OutgoingEmail {
  const text = paragraphs
    .map((p) => p.map((piece) => (typeof piece === 'string' ? piece : piece.href)).join(''))
    .join('\n\n');
  const html = paragraphs
    .map(
      (p) =>
        `<p>${p
          .map((piece) =>
            typeof piece === 'string'
              ? escapeHtml(piece).replace(/\n/g, '<br>')
              : `<a href="${escapeHtml(piece.href)}">${escapeHtml(piece.text)}</a>`,
          )
          .join('')}</p>`,
    )
    .join('\n');
  return {
    to,
    subject: oneLine(subject),
    text: `${text}\n`,
    html: `<!doctype html>\n<html><body style="font-family: sans-serif; line-height: 1.5">\n${html}\n</body></html>\n`,
  };
}

/**
 * The link to choose a new password. `minutes` is how long it works.
 *
 * @example passwordResetEmail({ to: 'ada@example.com', link: 'https://errata.example/auth/reset/abc/', minutes: 60, siteUrl: 'https://errata.example' })
 */
export function passwordResetEmail(input: {
  to: string;
  link: string;
  minutes: number;
  siteUrl: string;
}): OutgoingEmail {
  const within =
    input.minutes % 60 === 0
      ? `${input.minutes / 60} hour${input.minutes === 60 ? '' : 's'}`
      : `${input.minutes} minutes`;
  return compose(input.to, 'Reset your Errata password', [
    [`Someone asked to reset the password of the Errata account ${input.to} at ${input.siteUrl}.`],
    [`To choose a new password, open this link within ${within}:\n`, { text: input.link, href: input.link }],
    [
      'The link works once. Using it signs the account out everywhere. If you did not ask for this, ignore this email: your password stays as it is.',
    ],
  ]);
}

/** An invitation to join an organization, with the link that accepts it. */
export function inviteEmail(input: {
  to: string;
  link: string;
  orgName: string;
  role: string;
  inviterName: string | null;
}): OutgoingEmail {
  const who = input.inviterName ?? 'Someone';
  return compose(input.to, `${who} invited you to join ${input.orgName} on Errata`, [
    [`${who} invited you to join the organization ${input.orgName} on Errata, as ${input.role}.`],
    [`To join, open this link and sign in as ${input.to}:\n`, { text: input.link, href: input.link }],
    [
      `If you have no Errata account with this address yet, ask ${input.inviterName ?? 'an administrator'} to create one. If you did not expect this invitation, ignore this email.`,
    ],
  ]);
}

/** Issues one assignment email lists; a bulk change of more says how many it left out. */
const LISTED_MAX = 50;

/** One issue as an assignment email lists it. */
export interface AssignedIssue {
  readonly shortId: string;
  readonly title: string;
  readonly culprit: string;
  readonly link: string;
}

/**
 * Workflow notification: issues were assigned to `to` by someone else. One email per change, with
 * every issue that change assigned.
 */
export function assignmentEmail(input: {
  to: string;
  actorName: string;
  orgName: string;
  issues: readonly AssignedIssue[];
  settingsLink: string;
}): OutgoingEmail {
  const [first] = input.issues;
  if (!first) throw new Error('assignmentEmail needs at least one issue');
  const subject =
    input.issues.length === 1
      ? `${first.shortId} assigned to you: ${first.title}`
      : `${input.issues.length} issues assigned to you in ${input.orgName}`;
  const lead =
    input.issues.length === 1
      ? `${input.actorName} assigned you an issue in ${input.orgName}:`
      : `${input.actorName} assigned you ${input.issues.length} issues in ${input.orgName}:`;
  return compose(input.to, subject, [
    [lead],
    ...input.issues
      .slice(0, LISTED_MAX)
      .map((issue): Piece[] => [
        `${issue.shortId}  ${oneLine(issue.title, 300)}\n`,
        ...(issue.culprit ? [`${oneLine(issue.culprit, 300)}\n`] : []),
        { text: issue.link, href: issue.link },
      ]),
    ...(input.issues.length > LISTED_MAX ? [[`…and ${input.issues.length - LISTED_MAX} more.`]] : []),
    [
      'You get this email because workflow notifications are on for you. Turn them off in your notification settings: ',
      { text: input.settingsLink, href: input.settingsLink },
    ],
  ]);
}
