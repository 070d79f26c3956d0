import { bytes, dateTime } from '../../lib/format.js';

/** Renders any JSON value readably: text as is, the rest as compact JSON. */
export function valueText(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  return JSON.stringify(value, null, typeof value === 'object' ? 2 : undefined);
}

/** Context keys whose numbers count bytes (device and app memory, storage), as the SDKs send them. */
const BYTE_KEY = /(memory|storage)(_size)?$/;
const ISO_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d/;

/**
 * A context value as a person reads it: byte counts in KiB, MiB or GiB, timestamps as local dates.
 * Returns null when the value is best shown as sent.
 */
export function contextText(key: string, value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && BYTE_KEY.test(key))
    return bytes(value);
  if (typeof value === 'string' && ISO_DATE.test(value) && !Number.isNaN(Date.parse(value)))
    return dateTime(value);
  return null;
}

/** A two-column table of names and values (user, request headers, contexts, SDK). */
export function KeyValueTable({
  rows,
  caption,
  readable = false,
}: {
  rows: [string, unknown][];
  caption?: string;
  /** Format byte counts and timestamps, the sent value in the tooltip (contexts). */
  readable?: boolean;
}) {
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
              {typeof value === 'object' ? (
                <pre>{valueText(value)}</pre>
              ) : (
                <Plain text={valueText(value)} readable={readable ? contextText(key, value) : null} />
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Plain({ text, readable }: { text: string; readable: string | null }) {
  if (readable === null) return <code>{text}</code>;
  return (
    <span className="readable-value" title={text}>
      {readable}
    </span>
  );
}
