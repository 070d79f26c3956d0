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
export function StatusBadge({ issue }: { issue: Pick<Issue, 'status' | 'substatus'> }) {
  const status =
    issue.status === 'ignored' ? 'Ignored' : issue.status === 'resolved' ? 'Resolved' : 'Unresolved';
  const sub = issue.substatus ? SUBSTATUS[issue.substatus] : undefined;
  return (
    <>
      <span className={`badge status status-${issue.status}`}>{status}</span>
      {sub && issue.substatus !== 'ongoing' && (
        <span className={`badge substatus substatus-${issue.substatus}`}>{sub}</span>
      )}
    </>
  );
}
