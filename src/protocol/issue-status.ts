/** An issue's status, as Sentry names it. */
export type IssueStatus = 'unresolved' | 'resolved' | 'ignored';

/**
 * Why an issue has its status: unresolved ones are `new`, `ongoing`, `regressed` (a resolved issue
 * saw a new event) or `escalating` (an ignore ended on a count); ignored ones say until when.
 */
export type IssueSubstatus =
  | 'new'
  | 'ongoing'
  | 'regressed'
  | 'escalating'
  | 'archived_until_escalating'
  | 'archived_until_condition_met'
  | 'archived_forever';

/** A status with its reason, as digest and the API decide them. */
export interface StatusWithReason {
  readonly status: IssueStatus;
  readonly substatus: IssueSubstatus | null;
}
