import { useApi } from '../lib/api.js';

/** Chooses one environment the organization's events and deploys named, or all (the empty value). */
export function EnvironmentFilter({
  orgSlug,
  value,
  onChange,
}: {
  orgSlug: string;
  value: string;
  onChange: (environment: string) => void;
}) {
  const loaded = useApi<{ id: string; name: string }[]>(
    `/organizations/${encodeURIComponent(orgSlug)}/environments/`,
  );
  const names = (loaded.data ?? []).map((e) => e.name);
  // A chosen environment stays listed while the list loads, or when it is hidden.
  if (value && !names.includes(value)) names.push(value);
  return (
    <label className="inline-field">
      <span>Environment</span>
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">All environments</option>
        {names.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );
}
