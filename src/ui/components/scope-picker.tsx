/** Scopes grouped by what they are about, as Sentry's token forms show them. */
export const SCOPE_GROUPS: { name: string; scopes: string[]; note?: string }[] = [
  { name: 'Organization', scopes: ['org:read', 'org:write', 'org:admin'] },
  { name: 'Projects', scopes: ['project:read', 'project:write', 'project:admin', 'project:releases'] },
  { name: 'Teams', scopes: ['team:read', 'team:write', 'team:admin'] },
  { name: 'Members', scopes: ['member:read', 'member:invite', 'member:write', 'member:admin'] },
  { name: 'Issues and events', scopes: ['event:read', 'event:write', 'event:admin'] },
  {
    name: 'Alerts',
    scopes: ['alerts:read', 'alerts:write'],
    note: "alerts:read reads projects' issue alert rules and their delivery history; alerts:write also creates, changes and deletes them and sends test notifications.",
  },
];

/** Checkboxes for scopes; `allowed` limits the offer (an organization token can hold only some). */
export function ScopePicker({
  value,
  onChange,
  allowed,
}: {
  value: ReadonlySet<string>;
  onChange: (scopes: Set<string>) => void;
  allowed?: ReadonlySet<string>;
}) {
  return (
    <div className="scope-picker">
      {SCOPE_GROUPS.map((group) => {
        const scopes = group.scopes.filter((s) => !allowed || allowed.has(s));
        if (scopes.length === 0) return null;
        return (
          <fieldset key={group.name}>
            <legend>{group.name}</legend>
            {scopes.map((scope) => (
              <label key={scope} className="check">
                <input
                  type="checkbox"
                  name="scopes"
                  value={scope}
                  checked={value.has(scope)}
                  onChange={(e) => {
                    const next = new Set(value);
                    if (e.target.checked) next.add(scope);
                    else next.delete(scope);
                    onChange(next);
                  }}
                />
                <code>{scope}</code>
              </label>
            ))}
            {group.note && <small className="scope-note">{group.note}</small>}
          </fieldset>
        );
      })}
    </div>
  );
}
