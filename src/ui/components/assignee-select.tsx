import { useApi } from '../lib/api.js';
import { useOrg } from '../lib/session.js';
import type { Assignee, Member } from '../lib/types.js';

/** `assignedTo` as the API takes it: `user:<id>`, `team:<id>`, or '' to clear. */
export function assigneeValue(assignee: Assignee | null): string {
  return assignee ? `${assignee.type}:${assignee.id}` : '';
}

/** The value that shows the placeholder (nothing chosen yet). */
export const PLACEHOLDER = '__choose__';

/** Chooses a member or team of the organization to assign issues to. */
export function AssigneeSelect({
  value,
  onChange,
  label = 'Assignee',
  placeholder,
  disabled = false,
}: {
  value: string;
  onChange: (assignedTo: string) => void;
  label?: string;
  placeholder?: string;
  disabled?: boolean;
}) {
  const { org } = useOrg();
  const members = useApi<Member[]>(`/organizations/${encodeURIComponent(org.slug)}/members/`);
  const people = (members.data ?? []).filter((m) => m.user && !m.pending);
  return (
    <label className="inline-field">
      <span className="visually-hidden">{label}</span>
      <select value={value} disabled={disabled} onChange={(e) => onChange(e.target.value)}>
        {placeholder !== undefined && (
          <option value={PLACEHOLDER} disabled hidden>
            {placeholder}
          </option>
        )}
        <option value="">{placeholder === undefined ? 'Unassigned' : 'Unassign'}</option>
        {people.length > 0 && (
          <optgroup label="People">
            {people.map((m) => (
              <option key={m.id} value={`user:${m.user?.id}`}>
                {m.user?.name || m.email}
              </option>
            ))}
          </optgroup>
        )}
        {(org.teams ?? []).length > 0 && (
          <optgroup label="Teams">
            {(org.teams ?? []).map((t) => (
              <option key={t.id} value={`team:${t.id}`}>
                #{t.slug}
              </option>
            ))}
          </optgroup>
        )}
      </select>
    </label>
  );
}
