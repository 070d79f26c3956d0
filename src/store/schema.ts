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

export interface ControlSchema {
  users: UserTable;
  user_tokens: UserTokenTable;
  org_tokens: OrgTokenTable;
  sessions: SessionTable;
  org_mappings: OrgMappingTable;
}

export interface RegionSchema {
  organizations: OrganizationTable;
  members: MemberTable;
  teams: TeamTable;
  team_members: TeamMemberTable;
  projects: ProjectTable;
  project_teams: ProjectTeamTable;
  project_keys: ProjectKeyTable;
}
