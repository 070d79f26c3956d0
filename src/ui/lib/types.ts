// The parts of Sentry's API objects the screens read (shapes: src/api/serializers/).

export interface User {
  id: string;
  name: string;
  email: string;
  username: string;
  isSuperuser: boolean;
}

export interface Organization {
  id: string;
  slug: string;
  name: string;
  dateCreated: string;
  /** `regionUrl`: the public URL of the region that holds the organization's data. */
  links: { organizationUrl: string; regionUrl: string };
}

/** A region of the deployment (`GET /regions/`); a one-region install has one, named `default`. */
export interface Region {
  name: string;
  url: string;
}

export interface Role {
  id: string;
  name: string;
  desc: string;
}

export interface TeamRef {
  id: string;
  slug: string;
  name: string;
}

export interface Team extends TeamRef {
  isMember: boolean;
  teamRole: string | null;
  memberCount: number;
  access: string[];
  projects?: Project[];
}

export interface OrganizationDetail extends Organization {
  access: string[];
  role: string | null;
  defaultRole: string;
  openMembership: boolean;
  orgRoleList: Role[];
  teams?: Team[];
  projects?: Project[];
}

export interface Project {
  id: string;
  slug: string;
  name: string;
  platform: string | null;
  dateCreated: string;
  firstEvent: string | null;
  isMember: boolean;
  access: string[];
  team?: TeamRef;
  teams: TeamRef[];
}

export interface ProjectKey {
  id: string;
  name: string;
  public: string;
  projectId: number;
  isActive: boolean;
  rateLimit: { count: number; window: number } | null;
  dsn: { public: string; secret: string };
  dateCreated: string;
}

export interface Assignee {
  type: 'user' | 'team';
  id: string;
  name: string;
  email?: string;
}

export interface Issue {
  id: string;
  shortId: string;
  title: string;
  culprit: string;
  permalink: string;
  level: string;
  /** The kind of its events: `error` (an exception) or `default` (a message). */
  type?: string;
  status: 'unresolved' | 'resolved' | 'ignored' | string;
  substatus: string | null;
  statusDetails: Record<string, unknown>;
  platform: string;
  project: { id: string; name: string; slug: string; platform: string | null };
  metadata: { type?: string; value?: string; title?: string; filename?: string; function?: string };
  assignedTo: Assignee | null;
  isBookmarked: boolean;
  hasSeen: boolean;
  isUnhandled: boolean;
  count: string;
  userCount: number;
  firstSeen: string;
  lastSeen: string;
  /** Event graphs of the list's window and environments, by period key (`24h`, `14d`, `auto`, `30d`). */
  stats?: Record<string, [number, number][]> | null;
  /** The counts of the events the search's event terms match too; null when it has none. */
  filtered?: SeenCounts | null;
  /** The issue's counts over all time and environments. */
  lifetime?: SeenCounts | null;
}

export interface SeenCounts {
  count: string;
  userCount: number;
  firstSeen: string | null;
  lastSeen: string | null;
  stats: Record<string, [number, number][]> | null;
}

/** Sentry's `statusDetails` of a resolved issue: how it was resolved, when it was by release. */
export interface ResolvedDetails {
  inRelease?: string;
  inNextRelease?: boolean;
  inCommit?: { id?: string; repository?: { name?: string } | string } | null;
}

/** An issue's release: `{version}` at least; the full release object may come with more. */
export interface ReleaseRef {
  version: string;
  shortVersion?: string;
}

export interface IssueDetail extends Issue {
  firstRelease: ReleaseRef | null;
  lastRelease: ReleaseRef | null;
  tags: { key: string; name: string; totalValues: number }[];
  userReportCount: number;
  participants?: { id: string; name: string; email?: string }[];
}

export interface TagValue {
  key?: string;
  name?: string;
  value: string;
  count: number;
  firstSeen?: string | null;
  lastSeen?: string | null;
  /** The search term that finds this value's events (`user.id:"42"` for users). */
  query?: string;
  /** On `user` values: who the user is. */
  id?: string | null;
  email?: string | null;
  username?: string | null;
  ipAddress?: string | null;
}

export interface TagDistribution {
  key: string;
  name: string;
  totalValues: number;
  uniqueValues?: number;
  topValues?: TagValue[];
}

export interface Frame {
  filename: string | null;
  absPath: string | null;
  module: string | null;
  package: string | null;
  function: string | null;
  lineNo: number | null;
  colNo: number | null;
  inApp: boolean;
  context: [number, string][];
  vars: Record<string, unknown> | null;
}

export interface Stacktrace {
  frames: Frame[];
  hasSystemFrames: boolean;
}

export interface ExceptionValue {
  type: string | null;
  value: string | null;
  module: string | null;
  mechanism: { type?: string; handled?: boolean } | null;
  stacktrace: Stacktrace | null;
  /** The frames as the SDK sent them, when source maps changed some (`stacktrace` is then mapped). */
  rawStacktrace: Stacktrace | null;
}

/** A processing error of an event: Sentry's type, its words, and the fields of the case. */
export interface EventError {
  type: string;
  message: string;
  data: Record<string, unknown>;
}

/** An uploaded artifact bundle (source maps) of a project. */
export interface ArtifactBundle {
  bundleId: string;
  associations: { release: string; dist: string | null }[];
  release: string | null;
  dist: string | null;
  debugIds: string[];
  fileCount: number;
  size: number;
  date: string;
  dateModified: string;
  dateLastUsed: string;
}

export interface Breadcrumb {
  type: string;
  category: string | null;
  level: string;
  message: string | null;
  data: Record<string, unknown> | null;
  timestamp: string | null;
}

export type Entry =
  | { type: 'exception'; data: { values: ExceptionValue[] } }
  | { type: 'message'; data: { formatted: string; message: string | null } }
  | { type: 'breadcrumbs'; data: { values: Breadcrumb[] } }
  | {
      type: 'request';
      data: {
        url: string | null;
        method: string | null;
        query: unknown;
        data: unknown;
        headers: [string, string][];
        cookies: [string, string][];
        env: Record<string, unknown> | null;
      };
    }
  | {
      type: 'threads';
      data: {
        values: { id: unknown; name: string | null; crashed: boolean; stacktrace: Stacktrace | null }[];
      };
    };

export interface EventUser {
  id: string | null;
  email: string | null;
  username: string | null;
  ip_address: string | null;
  name: string | null;
  geo: Record<string, unknown> | null;
  data: Record<string, unknown> | null;
}

export interface Event {
  id: string;
  eventID: string;
  groupID: string | null;
  projectID: string;
  title: string;
  message: string;
  culprit: string | null;
  platform: string | null;
  dateCreated: string;
  dateReceived: string;
  tags: { key: string; value: string }[];
  user: EventUser | null;
  entries: Entry[];
  contexts: Record<string, Record<string, unknown>>;
  context: Record<string, unknown>;
  sdk: { name: string | null; version: string | null; integrations: string[]; packages: unknown[] } | null;
  environment: string | null;
  release: { version: string } | null;
  size: number;
  errors: EventError[];
  nextEventID: string | null;
  previousEventID: string | null;
}

export interface Attachment {
  id: string;
  name: string;
  size: number;
  mimetype: string | null;
  type?: string;
  dateCreated?: string;
}

export interface Member {
  id: string;
  email: string;
  name: string;
  user: User | null;
  orgRole: string;
  roleName: string;
  pending: boolean;
  dateCreated: string;
}

export interface MemberDetail extends Member {
  teams: string[];
  invite_link: string | null;
}

export interface UserToken {
  id: string;
  name: string | null;
  scopes: string[];
  dateCreated: string;
  dateLastUsed: string | null;
  expiresAt: string | null;
  tokenLastCharacters: string;
  token?: string;
}

export interface OrgToken {
  id: string;
  name: string;
  scopes: string[];
  dateCreated: string;
  dateLastUsed: string | null;
  tokenLastCharacters: string;
  token?: string;
}

export interface Deploy {
  id: string;
  environment: string;
  name: string | null;
  url: string | null;
  dateStarted: string | null;
  dateFinished: string;
}

/** Who wrote commits: an Errata user, or only the name and email the commit carries. */
export interface CommitAuthor {
  id?: string;
  name?: string | null;
  email?: string | null;
  username?: string;
}

export interface Commit {
  id: string;
  message: string | null;
  dateCreated: string | null;
  author: CommitAuthor | null;
  repository?: { id?: string; name: string; url?: string | null } | null;
}

export interface ReleaseProject {
  id: number | string;
  slug: string;
  name: string;
  newGroups: number;
  platform: string | null;
  hasHealthData?: boolean;
  healthData?: ReleaseHealth;
}

export interface Release {
  id: number;
  version: string;
  shortVersion: string;
  ref: string | null;
  url: string | null;
  dateCreated: string;
  dateStarted: string | null;
  dateReleased: string | null;
  firstEvent: string | null;
  lastEvent: string | null;
  newGroups: number;
  commitCount: number;
  lastCommit: Commit | null;
  authors: CommitAuthor[];
  deployCount: number;
  lastDeploy: Deploy | null;
  projects: ReleaseProject[];
}

/** The caller's own notification settings outside any organization. */
export interface UserNotificationSettings {
  workflowEmail: boolean;
}

/** The caller's alert email per project of one organization (the projects they reach). */
export interface ProjectNotificationSettings {
  projects: { id: string; slug: string; name: string; platform: string | null; alertEmail: boolean }[];
}

/** A cron monitor's state in one environment (`status`: `active` before any check-in, `ok`, `error`). */
export interface MonitorEnvironment {
  name: string;
  status: string;
  isMuted: boolean;
  dateCreated: string;
  lastCheckIn: string | null;
  nextCheckIn: string | null;
  nextCheckInLatest: string | null;
  activeIncident: { startingTimestamp: string; resolvingTimestamp: string | null } | null;
}

/** A cron monitor; `schedule` is a crontab string or `[every, unit]`. */
export interface Monitor {
  id: string;
  slug: string;
  name: string;
  status: 'active' | 'disabled';
  isMuted: boolean;
  dateCreated: string;
  config: {
    schedule_type: 'crontab' | 'interval';
    schedule: string | [number, string];
    checkin_margin: number | null;
    max_runtime: number | null;
    timezone: string | null;
    failure_issue_threshold: number | null;
    recovery_threshold: number | null;
  };
  project: { id: string; slug: string; name: string; platform: string | null };
  environments: MonitorEnvironment[];
}

/** One run of a monitor: `duration` in milliseconds. */
export interface CheckIn {
  id: string;
  environment: string;
  status: 'ok' | 'error' | 'in_progress' | 'missed' | 'timeout' | string;
  duration: number | null;
  dateCreated: string;
  expectedTime: string | null;
}

/** A user's feedback: a legacy report or a `feedback` item; `issue` where it reaches one. */
export interface UserReport {
  id: string;
  eventID: string | null;
  name: string;
  email: string;
  comments: string;
  dateCreated: string;
  event: { id: string | null; eventID: string | null };
  source: 'user_report' | 'feedback';
  url: string | null;
  issue?: Issue | null;
}

/** A release project's health, with `health=1`: rates and adoption in percent, null without sessions. */
export interface ReleaseHealth {
  crashFreeUsers: number | null;
  crashFreeSessions: number | null;
  sessionsCrashed: number;
  sessionsErrored: number;
  totalUsers: number;
  totalUsers24h: number;
  totalProjectUsers24h: number;
  totalSessions: number;
  totalSessions24h: number;
  totalProjectSessions24h: number;
  adoption: number | null;
  sessionsAdoption: number | null;
  hasHealthData: boolean;
}

/** `GET /organizations/:org/sessions/`: one group per combination of the `groupBy` values. */
export interface SessionsResult {
  start: string;
  end: string;
  intervals: string[];
  groups: {
    by: Record<string, string | number>;
    totals: Record<string, number | null>;
    series: Record<string, (number | null)[]>;
  }[];
}
