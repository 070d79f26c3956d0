/** Renders any JSON value readably: text as is, the rest as compact JSON. */
export function valueText(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  return JSON.stringify(value, null, typeof value === 'object' ? 2 : undefined);
}

/** A two-column table of names and values (user, request headers, contexts, SDK). */
export function KeyValueTable({ rows, caption }: { rows: [string, unknown][]; caption?: string }) {
  const shown = rows.filter(([, v]) => v !== null && v !== undefined && v !== '');
  if (shown.length === 0) return null;
  return (
    <table className="kv">
      {caption && <caption>{caption}</caption>}
      <tbody>
        {shown.map(([key, value]) => (
          <tr key={key}>
            <th scope="row">{key}</th>
            <td>
              {typeof value === 'object' ? <pre>{valueText(value)}</pre> : <code>{valueText(value)}</code>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
