// The facts about an issue that an alert tells, the same for every channel (email, the webhooks
// plugin, Slack, Discord, Teams): evaluation gathers them in the digest transaction and renders
// each action's message from them (alerts/render.ts, alerts/webhooks.ts).

/** A stack frame as an alert shows it: the top in-app frames of the event, innermost first. */
export interface AlertFrame {
  readonly filename: string | null;
  readonly function: string | null;
  readonly lineno: number | null;
  readonly colno: number | null;
  readonly module: string | null;
}

export interface IssueAlert {
  /** Errata's public base URL (Config's `url`): the link to the issue is under it. */
  readonly baseUrl: string;
  readonly organizationSlug: string;
  readonly project: { readonly id: number; readonly slug: string; readonly name: string };
  readonly issue: {
    readonly id: number;
    /** As the API shows it, e.g. `BACKEND-1Z`. */
    readonly shortId: string;
    readonly title: string;
    readonly culprit: string | null;
    readonly level: string;
    /** Events of the issue so far. */
    readonly count: number;
    /** Epoch milliseconds. */
    readonly firstSeen: number;
  };
  /** The event that fired the rule. */
  readonly event: {
    readonly eventId: string;
    readonly message: string;
    readonly environment: string | null;
    readonly release: string | null;
    readonly logger: string | null;
    readonly tags: readonly (readonly [string, string])[];
    /** Epoch milliseconds. */
    readonly timestamp: number;
  };
  /** The event's top in-app frames, innermost first; a few are enough. */
  readonly frames: readonly AlertFrame[];
  /** Names of the rules that fired. */
  readonly rules: readonly string[];
  /** A test of a rule's actions (not something that happened): every channel says so. */
  readonly test?: boolean;
}

/** The first line of an alert, in every channel. */
export function alertHeadline(alert: IssueAlert): string {
  return alert.test
    ? `Test notification from ${alert.project.name}: nothing happened, this checks where alerts go`
    : `New alert from ${alert.project.name}`;
}

/**
 * The issue's page in the web UI (the API's `permalink`), with a `referrer` when given. A test
 * notification's sample issue (id 0) has no page: it links to the project's issues.
 */
export function issueLink(alert: IssueAlert, referrer?: string): string {
  const issues = `${alert.baseUrl}/organizations/${encodeURIComponent(alert.organizationSlug)}/issues/`;
  const base = alert.issue.id === 0 ? `${issues}?project=${alert.project.id}` : `${issues}${alert.issue.id}/`;
  if (!referrer) return base;
  return `${base}${base.includes('?') ? '&' : '?'}referrer=${encodeURIComponent(referrer)}`;
}

/** One frame as a line: `function (file:line:col)` or what of it is known. */
export function frameLine(frame: AlertFrame): string {
  const where = [frame.filename ?? frame.module, frame.lineno, frame.colno]
    .filter((part) => part !== null && part !== undefined)
    .join(':');
  const fn = frame.function ?? '?';
  return where ? `${fn} (${where})` : fn;
}

/** Frames an alert shows at most. */
export const ALERT_FRAMES = 5;
