// Domain types: what leaves store/. Ids are numbers here and strings on the wire.

export interface User {
  readonly id: number;
  readonly email: string;
  readonly name: string;
  readonly isSuperuser: boolean;
  readonly isActive: boolean;
  readonly hasPassword: boolean;
  readonly dateJoined: number;
  readonly lastLogin: number | null;
}

export interface UserToken {
  readonly id: number;
  readonly userId: number;
  readonly name: string | null;
  readonly lastChars: string;
  readonly scopes: readonly string[];
  readonly expiresAt: number | null;
  readonly dateCreated: number;
  readonly dateLastUsed: number | null;
}

export interface OrgToken {
  readonly id: number;
  readonly organizationId: number;
  readonly name: string;
  readonly lastChars: string;
  readonly scopes: readonly string[];
  readonly createdById: number | null;
  readonly dateCreated: number;
  readonly dateLastUsed: number | null;
  readonly projectLastUsedId: number | null;
  readonly dateDeactivated: number | null;
}

export interface Session {
  readonly id: number;
  readonly userId: number;
  readonly csrfToken: string;
  readonly expiresAt: number;
}

export interface OrgMapping {
  readonly id: number;
  readonly slug: string;
  readonly region: string;
}

/** An organization as the control store knows it: enough to list it without reading its region. */
export interface OrgSummary extends OrgMapping {
  readonly name: string;
  readonly dateCreated: number;
  readonly isEarlyAdopter: boolean;
}

export interface Organization {
  readonly id: number;
  readonly slug: string;
  readonly name: string;
  readonly dateCreated: number;
  readonly defaultRole: string;
  readonly openMembership: boolean;
  readonly allowSharedIssues: boolean;
  readonly isEarlyAdopter: boolean;
}

export interface Member {
  readonly id: number;
  readonly organizationId: number;
  readonly userId: number | null;
  readonly email: string;
  readonly role: string;
  readonly pending: boolean;
  readonly inviterId: number | null;
  readonly dateCreated: number;
}

export interface Team {
  readonly id: number;
  readonly organizationId: number;
  readonly slug: string;
  readonly name: string;
  readonly dateCreated: number;
}

export interface TeamMembership {
  readonly teamId: number;
  readonly memberId: number;
  readonly role: string | null;
}

export interface Project {
  readonly id: number;
  readonly organizationId: number;
  readonly slug: string;
  readonly name: string;
  readonly platform: string | null;
  readonly dateCreated: number;
  readonly firstEvent: number | null;
}

export interface ProjectKey {
  readonly id: number;
  readonly projectId: number;
  readonly publicKey: string;
  readonly secretKey: string;
  readonly name: string;
  readonly isActive: boolean;
  readonly rateLimit: { readonly count: number; readonly window: number } | null;
  readonly dateCreated: number;
}

/** A page request for offset-paginated lists. */
export interface PageRequest {
  readonly limit: number;
  readonly offset: number;
}

export interface Release {
  readonly id: number;
  readonly organizationId: number;
  readonly version: string;
  readonly ref: string | null;
  readonly url: string | null;
  readonly dateCreated: number;
  readonly dateStarted: number | null;
  readonly dateReleased: number | null;
}

export interface Deploy {
  readonly id: number;
  readonly releaseId: number;
  readonly environment: string;
  readonly name: string | null;
  readonly url: string | null;
  readonly dateStarted: number | null;
  readonly dateFinished: number;
}

/** What a release's answer counts: its deploys and the issues it introduced. */
export interface ReleaseStats {
  readonly deployCount: number;
  readonly lastDeploy: Deploy | null;
  /** Issues first seen in this release, per project. */
  readonly newGroups: ReadonlyMap<number, number>;
  /** When the first and the last error event of this release happened, over the projects. */
  readonly firstEvent: number | null;
  readonly lastEvent: number | null;
}

/** A source repository of an organization; `provider` is null for one named only by commits. */
export interface Repository {
  readonly id: number;
  readonly organizationId: number;
  readonly name: string;
  readonly provider: string | null;
  readonly url: string | null;
  readonly externalId: string | null;
  readonly status: string;
  readonly dateCreated: number;
}

export interface CommitAuthor {
  readonly id: number;
  readonly name: string | null;
  readonly email: string;
}

/** A commit of a repository; `key` is its id in the repository (a git sha). */
export interface Commit {
  readonly id: number;
  readonly organizationId: number;
  readonly repositoryId: number;
  readonly key: string;
  readonly message: string | null;
  readonly author: CommitAuthor | null;
  readonly dateCreated: number;
}

/** A file a commit added (A), modified (M) or deleted (D). */
export interface CommitFileChange {
  readonly id: number;
  readonly commit: Commit;
  readonly filename: string;
  readonly type: string;
}

/** What a release's answer says of its commits. */
export interface ReleaseCommitSummary {
  readonly commitCount: number;
  /** The newest commit (order 0). */
  readonly lastCommit: Commit | null;
  readonly authors: readonly CommitAuthor[];
}
