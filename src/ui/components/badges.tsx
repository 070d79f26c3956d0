import type { Issue } from '../lib/types.js';

export function LevelBadge({ level }: { level: string }) {
  return <span className={`badge level level-${level}`}>{level}</span>;
}

const SUBSTATUS: Record<string, string> = {
  regressed: 'Regressed',
  escalating: 'Escalating',
  new: 'New',
  ongoing: 'Ongoing',
  archived_until_escalating: 'Until escalating',
  archived_until_condition_met: 'Until condition met',
  archived_forever: 'Forever',
};

/** Status in words, with the substatus (regressed, new, …) where it adds something. */
export function StatusBadge({
  issue,
  showStatus = true,
  showSubstatus = true,
}: {
  issue: Pick<Issue, 'status' | 'substatus'>;
  /** Off where the badge would say what every row around it says. */
  showStatus?: boolean;
  showSubstatus?: boolean;
}) {
  const status =
    issue.status === 'ignored' ? 'Ignored' : issue.status === 'resolved' ? 'Resolved' : 'Unresolved';
  const sub = issue.substatus ? SUBSTATUS[issue.substatus] : undefined;
  return (
    <>
      {showStatus && <span className={`badge status status-${issue.status}`}>{status}</span>}
      {showSubstatus && sub && issue.substatus !== 'ongoing' && (
        <span className={`badge substatus substatus-${issue.substatus}`}>{sub}</span>
      )}
    </>
  );
}

/**
 * Which badges tell a row of a list apart: none that the search already restricts to (`is:unresolved`,
 * `is:new`), nor one every listed issue shares.
 */
export function tellingBadges(
  issues: Pick<Issue, 'status' | 'substatus'>[],
  searchTerms: string[],
): { status: boolean; substatus: boolean } {
  const shared = (pick: (i: Pick<Issue, 'status' | 'substatus'>) => string | null | undefined) =>
    issues.length > 1 && issues.every((i) => pick(i) === pick(issues[0] as Issue));
  const named = (value: string | null | undefined) => !!value && searchTerms.includes(`is:${value}`);
  const status = issues[0]?.status;
  const substatus = issues[0]?.substatus;
  return {
    status: !(shared((i) => i.status) || (issues.length === 1 && named(status))),
    substatus: !(shared((i) => i.substatus) || (issues.length === 1 && named(substatus))),
  };
}
