import { Link } from '../../lib/router.js';
import { logsAroundEventPath, traceIdOf, tracePath } from '../../lib/traces.js';
import type { Event } from '../../lib/types.js';

/**
 * Where an event leads beyond itself: the trace it happened in (when its trace context names
 * one), and the logs written around it (its trace's, else its project's at that time).
 */
export function EventTraceLinks({ event, orgSlug }: { event: Event; orgSlug: string }) {
  const traceId = traceIdOf(event.contexts);
  return (
    <nav className="event-links" aria-label="Related to this event">
      {traceId && (
        <Link
          className="button small"
          to={tracePath(orgSlug, traceId, {
            timestamp: Date.parse(event.dateCreated) / 1000,
            errorId: event.eventID,
          })}
          title={`Trace ${traceId}`}
        >
          Open trace
        </Link>
      )}
      <Link
        className="button small"
        to={logsAroundEventPath(orgSlug, event)}
        title={
          traceId ? 'The logs of this event’s trace' : 'Its project’s logs five minutes either side of it'
        }
      >
        Logs around this event
      </Link>
    </nav>
  );
}
