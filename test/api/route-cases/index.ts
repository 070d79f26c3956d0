import { ACCOUNTS_CASES } from './accounts.js';
import { ALERT_RULES_CASES } from './alert-rules.js';
import type { RouteCase } from './case.js';
import { COMMITS_CASES } from './commits.js';
import { ENVIRONMENTS_CASES } from './environments.js';
import { EVENTS_CASES } from './events.js';
import { ISSUES_CASES } from './issues.js';
import { LOGS_CASES } from './logs.js';
import { MEMBERS_CASES } from './members.js';
import { MONITORS_CASES } from './monitors.js';
import { ORGANIZATIONS_CASES } from './organizations.js';
import { PROJECTS_CASES } from './projects.js';
import { RELEASES_CASES } from './releases.js';
import { ROOT_CASES } from './root.js';
import { SESSIONS_CASES } from './sessions.js';
import { STATS_CASES } from './stats.js';
import { TRACES_CASES } from './traces.js';
import { UPLOADS_CASES } from './uploads.js';
import { USER_FEEDBACK_CASES } from './user-feedback.js';

export { grantOf, type RouteCase } from './case.js';

// One rightful call per route of API_ROUTES, keyed `${method} ${url}`, with every caller's outcome
// for the role matrix. auth-matrix.test.ts fails for a route without a case here, or a case
// without a route; role-matrix.test.ts for a case without an outcome for every caller.

export const ROUTE_CASES: Record<string, RouteCase> = {
  ...ROOT_CASES,
  ...ACCOUNTS_CASES,
  ...ORGANIZATIONS_CASES,
  ...PROJECTS_CASES,
  ...MEMBERS_CASES,
  ...ISSUES_CASES,
  ...EVENTS_CASES,
  ...RELEASES_CASES,
  ...ENVIRONMENTS_CASES,
  ...UPLOADS_CASES,
  ...COMMITS_CASES,
  ...ALERT_RULES_CASES,
  ...MONITORS_CASES,
  ...USER_FEEDBACK_CASES,
  ...SESSIONS_CASES,
  ...LOGS_CASES,
  ...TRACES_CASES,
  ...STATS_CASES,
};
