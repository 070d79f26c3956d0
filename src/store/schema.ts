import type { Generated } from 'kysely';

// Row types: they stay inside store/. Times are epoch milliseconds, flags are 0/1 integers and
// lists are JSON text, so that one schema means the same thing on SQLite and on PostgreSQL.

/** Control store: people, their credentials, and which region each organization lives in. */
export interface UserTable {
  id: Generated<number>;
  email: string;
  name: string;
  password_hash: string | null;
  is_superuser: number;
  is_active: number;
  date_joined: number;
  last_login: number | null;
}

export interface UserTokenTable {
  id: Generated<number>;
  user_id: number;
  name: string | null;
  token_hash: string;
  last_chars: string;
  scopes: string;
  expires_at: number | null;
  date_created: number;
  date_last_used: number | null;
}

export interface OrgTokenTable {
  id: Generated<number>;
  organization_id: number;
  name: string;
  token_hash: string;
  last_chars: string;
  scopes: string;
  created_by_id: number | null;
  date_created: number;
  date_last_used: number | null;
  project_last_used_id: number | null;
  date_deactivated: number | null;
}

export interface SessionTable {
  id: Generated<number>;
  session_hash: string;
  user_id: number;
  csrf_token: string;
  date_created: number;
  expires_at: number;
}

export interface OrgMappingTable {
  id: Generated<number>;
  slug: string;
  region: string;
  date_created: number;
  /** Kept in step with the region's organization, for lists answered from the control store. */
  name: Generated<string>;
  is_early_adopter: Generated<number>;
}

/** Control store: a user's membership of an organization (joined members only, not invites). */
export interface OrgMemberMappingTable {
  organization_id: number;
  user_id: number;
  date_created: number;
}

/** Region store: everything that belongs to one organization. */
export interface OrganizationTable {
  id: number;
  slug: string;
  name: string;
  date_created: number;
  default_role: string;
  open_membership: number;
  allow_shared_issues: number;
  is_early_adopter: number;
}

export interface MemberTable {
  id: Generated<number>;
  organization_id: number;
  user_id: number | null;
  email: string;
  role: string;
  invite_token_hash: string | null;
  inviter_id: number | null;
  date_created: number;
}

export interface TeamTable {
  id: Generated<number>;
  organization_id: number;
  slug: string;
  name: string;
  date_created: number;
}

export interface TeamMemberTable {
  team_id: number;
  member_id: number;
  role: string | null;
}

export interface ProjectTable {
  id: Generated<number>;
  organization_id: number;
  slug: string;
  name: string;
  platform: string | null;
  date_created: number;
  first_event: number | null;
}

export interface ProjectTeamTable {
  project_id: number;
  team_id: number;
}

export interface ProjectKeyTable {
  id: Generated<number>;
  project_id: number;
  public_key: string;
  secret_key: string;
  name: string;
  is_active: number;
  rate_limit_count: number | null;
  rate_limit_window: number | null;
  date_created: number;
}

export interface RawEnvelopeTable {
  id: Generated<number>;
  project_id: number;
  key_id: number;
  kind: string;
  received_at: number;
  event_id: string | null;
  client_ip: string | null;
  payload: Uint8Array;
  /** The payload's Content-Encoding as sent (gzip, deflate, br), or null when it is plain. */
  encoding: string | null;
  digest_error: string | null;
}

export interface ProjectCounterTable {
  project_id: number;
  next_short_id: number;
}

export interface IssueTable {
  id: Generated<number>;
  project_id: number;
  short_id: number;
  type: string;
  title: string;
  culprit: string;
  metadata: string;
  level: string;
  platform: string;
  logger: string | null;
  status: string;
  substatus: string | null;
  first_seen: number;
  last_seen: number;
  times_seen: number;
  user_count: number;
  first_release: string | null;
  last_release: string | null;
  /** The timestamp of the event that named `last_release`: a later one replaces it, an earlier one not. */
  last_release_seen: number | null;
  resolved_at: number | null;
  ignore_until: number | null;
  ignore_count: number | null;
  ignore_count_base: number | null;
  ignore_user_count: number | null;
  ignore_user_base: number | null;
  assignee_user_id: number | null;
  assignee_team_id: number | null;
  /** 0/1; the database fills 0 for rows that do not say. */
  is_public: Generated<number>;
  priority: string | null;
  /** `in_release`, `in_next_release` or `in_commit` while resolved so; null otherwise. */
  resolution_type: string | null;
  /** The release it was resolved in (for "in the next release": the latest one at the time). */
  resolution_release_id: number | null;
  /** For "in the next release": the release the issue was current in when resolved. */
  resolution_current_release_id: number | null;
  /** For `in_commit`: the commit that fixes it (pending until a release holds it). */
  resolution_commit_id: number | null;
  /** The user who resolved it in a release or commit; null for an organization token. */
  resolution_actor_id: number | null;
}

export interface GroupHashTable {
  project_id: number;
  hash: string;
  mechanism: string;
  issue_id: number;
}

export interface EventTable {
  id: Generated<number>;
  project_id: number;
  issue_id: number | null;
  event_id: string;
  type: string;
  timestamp: number;
  received_at: number;
  level: string;
  title: string;
  message: string;
  culprit: string | null;
  release: string | null;
  environment: string | null;
  platform: string | null;
  transaction_name: string | null;
  trace_id: string | null;
  user_key: string | null;
  tags: string;
  /** The stored document (JSON), or '' when it is in `data_packed`. */
  data: string;
  /** The stored document compressed (lib/compression.ts: brotli, or gzip in rows written before). */
  data_packed: Uint8Array | null;
}

export interface IssueTagTable {
  issue_id: number;
  key: string;
  value: string;
  times_seen: number;
  first_seen: number;
  last_seen: number;
}

export interface IssueBookmarkTable {
  issue_id: number;
  user_id: number;
}

export interface IssueSeenTable {
  issue_id: number;
  user_id: number;
  last_seen: number;
}

export interface IssueUserTable {
  issue_id: number;
  user_key: string;
}

/** What an event's user key stands for in a project: the last non-empty value of each field seen. */
export interface EventUserTable {
  project_id: number;
  user_key: string;
  user_id: string | null;
  email: string | null;
  username: string | null;
  ip_address: string | null;
  name: string | null;
  /** About when an event of the key was last seen (written at most once a day); null for none. */
  last_seen: number | null;
}

/** What happened to an issue (Sentry's activity): `type` as Sentry names it, `data` JSON. */
export interface IssueActivityTable {
  id: Generated<number>;
  issue_id: number;
  type: string;
  data: string;
  user_id: number | null;
  date_created: number;
}

export interface AttachmentTable {
  id: Generated<number>;
  project_id: number;
  event_id: string;
  name: string;
  content_type: string;
  attachment_type: string;
  size: number;
  data: Uint8Array;
  date_created: number;
}

export interface SpanTable {
  id: Generated<number>;
  project_id: number;
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  transaction_event_id: string | null;
  op: string | null;
  description: string | null;
  status: string | null;
  start_timestamp: number;
  timestamp: number;
  data: string;
  transaction_name: string | null;
  segment_id: string | null;
  /** 1 for the root span of a transaction (a segment), else 0. */
  is_segment: Generated<number>;
  environment: string | null;
  release: string | null;
}

export interface LogTable {
  id: Generated<number>;
  project_id: number;
  item_id: string;
  timestamp: number;
  observed_timestamp: number;
  trace_id: string;
  span_id: string | null;
  level: string;
  severity_number: number;
  body: string;
  attributes: string;
  release: string | null;
  environment: string | null;
  sdk: string | null;
}

export interface ReleaseHealthTable {
  project_id: number;
  release: string;
  environment: string;
  bucket: number;
  started: number;
  exited: number;
  errored: number;
  crashed: number;
  abnormal: number;
}

/** One individual session while updates may still come (release health counts it once). */
export interface SessionStateTable {
  project_id: number;
  sid: string;
  release: string;
  environment: string;
  bucket: number;
  user_hash: string | null;
  status: string;
  errors: number;
  seq: number;
  timestamp: number;
  last_seen: number;
}

/** A distinct user of an hourly release-health bucket, with the worst outcome of its sessions. */
export interface ReleaseHealthUserTable {
  project_id: number;
  release: string;
  environment: string;
  bucket: number;
  user_hash: string;
  severity: number;
}

export interface ReleaseTable {
  id: Generated<number>;
  organization_id: number;
  version: string;
  ref: string | null;
  url: string | null;
  date_created: number;
  date_started: number | null;
  date_released: number | null;
}

export interface ReleaseProjectTable {
  release_id: number;
  project_id: number;
}

export interface DeployTable {
  id: Generated<number>;
  release_id: number;
  environment: string;
  name: string | null;
  url: string | null;
  date_started: number | null;
  date_finished: number;
}

export interface EnvironmentTable {
  id: Generated<number>;
  organization_id: number;
  name: string;
  date_created: number;
}

export interface EnvironmentProjectTable {
  environment_id: number;
  project_id: number;
  /** 0/1 */
  is_hidden: Generated<number>;
}

export interface ReleaseEnvironmentTable {
  project_id: number;
  release: string;
  environment: string;
  first_seen: number;
}

export interface RepositoryTable {
  id: Generated<number>;
  organization_id: number;
  name: string;
  provider: string | null;
  url: string | null;
  external_id: string | null;
  status: string;
  date_created: number;
}

export interface CommitAuthorTable {
  id: Generated<number>;
  organization_id: number;
  name: string | null;
  email: string;
}

export interface CommitTable {
  id: Generated<number>;
  organization_id: number;
  repository_id: number;
  key: string;
  message: string | null;
  author_id: number | null;
  date_created: number;
}

export interface CommitFileChangeTable {
  id: Generated<number>;
  commit_id: number;
  filename: string;
  type: string;
}

export interface ReleaseCommitTable {
  release_id: number;
  commit_id: number;
  /** 0 for the newest commit of the release. */
  sort_order: number;
}

export interface ClientOutcomeTable {
  project_id: number;
  bucket: number;
  outcome: string;
  reason: string;
  category: string;
  quantity: number;
}

/** What became of a project's data in one hour: see the outcomes migration. */
export interface OutcomeTable {
  project_id: number;
  bucket: number;
  outcome: string;
  /** Empty when the outcome has no reason (accepted). */
  reason: string;
  category: string;
  quantity: number;
  times_seen: number;
}

export interface UserReportTable {
  id: Generated<number>;
  project_id: number;
  event_id: string | null;
  name: string | null;
  email: string | null;
  comments: string;
  date_created: number;
  data: string;
}

export interface CheckInTable {
  id: Generated<number>;
  project_id: number;
  check_in_id: string;
  monitor_slug: string;
  status: string;
  duration: number | null;
  environment: string | null;
  date_created: number;
  data: string;
  monitor_environment_id: number | null;
  date_updated: number | null;
  /** When the clock expected this run (missed check-ins), else null. */
  expected_time: number | null;
  /** When an `in_progress` run becomes a timeout. */
  timeout_at: number | null;
}

export interface MonitorTable {
  id: Generated<number>;
  organization_id: number;
  project_id: number;
  slug: string;
  name: string;
  /** `active` or `disabled`. */
  status: string;
  is_muted: number;
  /** `crontab` or `interval`. */
  schedule_type: string;
  /** The crontab, or the interval as JSON `[n, "unit"]`. */
  schedule: string;
  checkin_margin: number | null;
  max_runtime: number | null;
  timezone: string | null;
  failure_issue_threshold: number | null;
  recovery_threshold: number | null;
  date_created: number;
}

export interface MonitorEnvironmentTable {
  id: Generated<number>;
  monitor_id: number;
  environment: string;
  /** `active` (no check-in yet), `ok` or `error`. */
  status: string;
  last_checkin: number | null;
  next_checkin: number | null;
  next_checkin_latest: number | null;
  failures: number;
  successes: number;
  /** The event that opened the environment's open incident, or null when there is none. */
  incident_event_id: string | null;
  incident_started: number | null;
  date_created: number;
}

export interface RateCounterTable {
  bucket: string;
  window_start: number;
  count: number;
}

export interface LoginFailureTable {
  username: string;
  failures: number;
  last_failure_at: number;
}

/** Bytes behind the blob store (store/blob-store.ts), by key. */
export interface BlobTable {
  key: string;
  size: number;
  data: Uint8Array;
}

/** A chunk an organization uploaded (bytes in blobs), by its SHA-1. */
export interface UploadChunkTable {
  organization_id: number;
  checksum: string;
  size: number;
  date_created: number;
}

/** An artifact bundle waiting for, or failed in, assembly. */
export interface BundleAssemblyTable {
  id: Generated<number>;
  organization_id: number;
  checksum: string;
  /** JSON list of chunk SHA-1s, in order. */
  chunks: string;
  /** JSON list of project ids. */
  project_ids: string;
  release: string | null;
  dist: string | null;
  /** created | assembling | error */
  state: string;
  detail: string | null;
  date_created: number;
  date_updated: number;
}

export interface ArtifactBundleTable {
  id: Generated<number>;
  organization_id: number;
  bundle_id: string;
  checksum: string;
  size: number;
  file_count: number;
  date_uploaded: number;
  date_modified: number;
  date_last_used: number;
}

export interface ArtifactBundleProjectTable {
  artifact_bundle_id: number;
  project_id: number;
}

export interface ArtifactBundleReleaseTable {
  artifact_bundle_id: number;
  release: string;
  /** '' when the bundle names no dist. */
  dist: string;
}

export interface ArtifactBundleFileTable {
  id: Generated<number>;
  artifact_bundle_id: number;
  path: string;
  url: string | null;
  file_type: string;
  debug_id: string | null;
  sourcemap: string | null;
  size: number;
  blob_key: string;
}

/** An issue alert rule; conditions, filters and actions are JSON lists of the rule model's shapes. */
export interface AlertRuleTable {
  id: Generated<number>;
  project_id: number;
  name: string;
  /** all | any | none */
  action_match: string;
  filter_match: string;
  /** Minutes. */
  frequency: number;
  environment: string | null;
  conditions: string;
  filters: string;
  actions: string;
  created_by_id: number | null;
  date_created: number;
  date_modified: number;
}

/** The legacy webhooks plugin of a project. */
export interface WebhookPluginTable {
  project_id: number;
  /** 0/1 */
  enabled: Generated<number>;
  /** Callback URLs, one per line; '' for none. */
  urls: Generated<string>;
  date_modified: number;
}

/** A notification waiting for delivery, sent, or given up on (store/region/notification-outbox.ts). */
export interface NotificationOutboxTable {
  id: Generated<number>;
  /** email | webhook | slack | discord | teams */
  channel: string;
  /** The address or the URL (its secret parts left out), for listing. */
  target: string;
  /** JSON: the rendered message (EmailMessage or HttpMessage). */
  message: string;
  rule_id: number | null;
  project_id: number | null;
  issue_id: number | null;
  /** pending | sent | failed */
  status: string;
  /** Tries made so far. */
  attempts: number;
  next_attempt_at: number;
  /** A worker holds it until then; null when none does. */
  claimed_until: number | null;
  last_error: string | null;
  date_created: number;
  date_sent: number | null;
}

/** One try at delivering a notification. */
export interface NotificationAttemptTable {
  id: Generated<number>;
  outbox_id: number;
  at: number;
  ok: number;
  error: string | null;
  duration_ms: number;
}

/** Control store: one password-reset link; only the SHA-256 of its secret is kept. */
export interface PasswordResetTable {
  id: Generated<number>;
  user_id: number;
  token_hash: string;
  date_created: number;
  expires_at: number;
}

/** Control store: reset links asked for per address (known or not) in the current window. */
export interface PasswordResetRequestTable {
  email: string;
  requests: number;
  window_start: number;
}

/** Control store: a person's notification settings outside any organization; no row = defaults. */
export interface UserNotificationSettingTable {
  user_id: number;
  workflow_email: number;
  date_updated: number;
}

/** Region store: a person who wants no alert email for a project. */
export interface AlertEmailOptOutTable {
  project_id: number;
  user_id: number;
  date_created: number;
}

/** When an issue alert rule last fired for an issue (no foreign key to the rule: see its migration). */
export interface AlertRuleFireTable {
  rule_id: number;
  issue_id: number;
  last_fired_at: number;
}

/** Which node runs a background job that must run once at a time (retention), and until when. */
export interface JobLeaseTable {
  name: string;
  holder: string;
  expires_at: number;
}

export interface ControlSchema {
  users: UserTable;
  user_tokens: UserTokenTable;
  org_tokens: OrgTokenTable;
  sessions: SessionTable;
  org_mappings: OrgMappingTable;
  org_member_mappings: OrgMemberMappingTable;
  login_failures: LoginFailureTable;
  password_resets: PasswordResetTable;
  password_reset_requests: PasswordResetRequestTable;
  user_notification_settings: UserNotificationSettingTable;
}

export interface RegionSchema {
  organizations: OrganizationTable;
  members: MemberTable;
  teams: TeamTable;
  team_members: TeamMemberTable;
  projects: ProjectTable;
  project_teams: ProjectTeamTable;
  project_keys: ProjectKeyTable;
  raw_envelopes: RawEnvelopeTable;
  project_counters: ProjectCounterTable;
  issues: IssueTable;
  group_hashes: GroupHashTable;
  events: EventTable;
  issue_tags: IssueTagTable;
  issue_users: IssueUserTable;
  event_users: EventUserTable;
  issue_bookmarks: IssueBookmarkTable;
  issue_seen: IssueSeenTable;
  issue_activity: IssueActivityTable;
  attachments: AttachmentTable;
  spans: SpanTable;
  logs: LogTable;
  release_health: ReleaseHealthTable;
  release_health_users: ReleaseHealthUserTable;
  session_states: SessionStateTable;
  releases: ReleaseTable;
  release_projects: ReleaseProjectTable;
  deploys: DeployTable;
  environments: EnvironmentTable;
  environment_projects: EnvironmentProjectTable;
  release_environments: ReleaseEnvironmentTable;
  repositories: RepositoryTable;
  commit_authors: CommitAuthorTable;
  commits: CommitTable;
  commit_file_changes: CommitFileChangeTable;
  release_commits: ReleaseCommitTable;
  client_outcomes: ClientOutcomeTable;
  outcomes: OutcomeTable;
  user_reports: UserReportTable;
  check_ins: CheckInTable;
  monitors: MonitorTable;
  monitor_environments: MonitorEnvironmentTable;
  rate_counters: RateCounterTable;
  blobs: BlobTable;
  upload_chunks: UploadChunkTable;
  bundle_assemblies: BundleAssemblyTable;
  artifact_bundles: ArtifactBundleTable;
  artifact_bundle_projects: ArtifactBundleProjectTable;
  artifact_bundle_releases: ArtifactBundleReleaseTable;
  artifact_bundle_files: ArtifactBundleFileTable;
  alert_rules: AlertRuleTable;
  webhook_plugins: WebhookPluginTable;
  notification_outbox: NotificationOutboxTable;
  notification_attempts: NotificationAttemptTable;
  alert_email_opt_outs: AlertEmailOptOutTable;
  alert_rule_fires: AlertRuleFireTable;
  job_leases: JobLeaseTable;
}
