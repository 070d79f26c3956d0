import type { OrganizationDetail } from '../lib/types.js';

/** Chooses one project of the organization by id, or all of them (the empty value). */
export function ProjectFilter({
  org,
  value,
  onChange,
}: {
  org: OrganizationDetail;
  value: string;
  onChange: (projectId: string) => void;
}) {
  const projects = org.projects ?? [];
  return (
    <label className="inline-field">
      <span>Project</span>
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">All projects</option>
        {projects.map((p) => (
          <option key={p.id} value={p.id}>
            {p.slug}
          </option>
        ))}
      </select>
    </label>
  );
}
