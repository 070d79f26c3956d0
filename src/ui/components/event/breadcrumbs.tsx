import { useState } from 'react';
import type { Breadcrumb } from '../../lib/types.js';
import { valueText } from './key-value.js';

const SHOWN = 10;

function time(iso: string | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleTimeString(undefined, { hour12: false });
}

/** The trail of what happened before the event, newest last, the last few shown first. */
export function Breadcrumbs({ values }: { values: Breadcrumb[] }) {
  const [all, setAll] = useState(false);
  // Breadcrumbs have no id; their place in the trail is one, and the trail never reorders.
  const numbered = values.map((crumb, place) => ({ crumb, place }));
  const shown = all ? numbered : numbered.slice(-SHOWN);
  return (
    <div className="breadcrumbs">
      {!all && values.length > SHOWN && (
        <button type="button" className="link-button" onClick={() => setAll(true)}>
          Show {values.length - SHOWN} earlier breadcrumbs
        </button>
      )}
      <div className="table-scroll">
        <table className="grid">
          <thead>
            <tr>
              <th scope="col">Category</th>
              <th scope="col">Message and data</th>
              <th scope="col">Level</th>
              <th scope="col">Time</th>
            </tr>
          </thead>
          <tbody>
            {shown.map(({ crumb, place }) => (
              <tr key={place} className={`crumb level-${crumb.level}`}>
                <td>
                  <code>{crumb.category ?? crumb.type}</code>
                </td>
                <td>
                  {crumb.message && <div>{crumb.message}</div>}
                  {crumb.data && Object.keys(crumb.data).length > 0 && (
                    <pre className="crumb-data">{valueText(crumb.data)}</pre>
                  )}
                </td>
                <td>{crumb.level}</td>
                <td title={crumb.timestamp ?? undefined}>{time(crumb.timestamp)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
