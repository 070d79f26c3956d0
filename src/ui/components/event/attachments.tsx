import { useApi } from '../../lib/api.js';
import { bytes } from '../../lib/format.js';
import type { Attachment } from '../../lib/types.js';
import { ErrorNotice } from '../notice.js';

/** The files sent with the event, each a download (the session cookie authorizes it). */
export function Attachments({
  orgSlug,
  projectSlug,
  eventId,
}: {
  orgSlug: string;
  projectSlug: string;
  eventId: string;
}) {
  const base = `/projects/${encodeURIComponent(orgSlug)}/${encodeURIComponent(projectSlug)}/events/${eventId}/attachments/`;
  const loaded = useApi<Attachment[]>(base);
  if (loaded.error) {
    return loaded.error.status === 404 ? (
      <p className="muted">Attachments are not available for this event.</p>
    ) : (
      <ErrorNotice error={loaded.error} />
    );
  }
  if (!loaded.data) return null;
  if (loaded.data.length === 0) return <p className="muted">No files were attached to this event.</p>;
  return (
    <ul className="attachments">
      {loaded.data.map((a) => (
        <li key={a.id}>
          <a href={`/api/0${base}${encodeURIComponent(a.id)}/?download=1`} download={a.name}>
            {a.name}
          </a>{' '}
          <span className="muted">
            {bytes(a.size)}
            {a.mimetype ? ` · ${a.mimetype}` : ''}
          </span>
        </li>
      ))}
    </ul>
  );
}
