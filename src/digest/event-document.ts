import type { GroupingResult, IssueSummary } from '../grouping/index.js';
import { shiftBreadcrumbs } from '../protocol/event-normalize.js';
import type { EventUser, NormalizedEvent } from '../protocol/normalized-event.js';

/** What Errata decided of an event, beyond the payload the SDK sent. */
export interface DocumentFacts {
  readonly event: NormalizedEvent;
  readonly grouping: GroupingResult;
  readonly summary: IssueSummary;
  readonly tags: readonly (readonly [string, string])[];
}

/**
 * The user as stored in an event document, in Sentry's field names: `ip_address: "{{auto}}"` (what
 * sentry-cli and browser SDKs send) is the sender's address by then, or gone.
 */
export function userDocument(user: EventUser | undefined): Record<string, unknown> | undefined {
  if (user === undefined) return undefined;
  const { ipAddress, ...rest } = user;
  return { ...rest, ...(ipAddress === undefined ? {} : { ip_address: ipAddress }) };
}

/** The fields of the stored document that Errata decides, over the payload's own. */
function decidedFields({ event, grouping, summary, tags }: DocumentFacts): Record<string, unknown> {
  return {
    event_id: event.eventId,
    timestamp: event.timestamp / 1000,
    received: event.receivedAt / 1000,
    level: event.level,
    platform: event.platform,
    tags,
    user: userDocument(event.user),
    ...(event.message
      ? {
          logentry: {
            message: event.message.template,
            formatted: event.message.formatted,
            params: event.message.params,
          },
        }
      : {}),
    metadata: summary.metadata,
    title: summary.title,
    culprit: summary.culprit,
    type: summary.type,
    grouping: { mechanism: grouping.mechanism, variant: grouping.variant, hashes: grouping.hashes },
    ...(event.problems.length > 0 || event.processingErrors
      ? { errors: [...event.problems, ...(event.processingErrors ?? [])] }
      : {}),
    // The client's clock was off: its breadcrumbs' times are corrected as the event's own was.
    ...(event.clockDriftMs !== undefined && event.data.breadcrumbs !== undefined
      ? { breadcrumbs: shiftBreadcrumbs(event.data.breadcrumbs, event.clockDriftMs) }
      : {}),
  };
}

const CLOSING_BRACE = 0x7d;

/**
 * The stored event document: the payload as sent, with the fields Errata decided. Given the
 * payload's bytes, the decided fields are appended into its JSON object rather than the whole event
 * serialized again (serializing is the costlier half of a digest): an object whose key repeats
 * reads as its last value, so the document reads the same. A decided field with no value (a user
 * that was not a valid one) becomes null there, so that the payload's own value does not show.
 * Without the payload, or when it no longer stands for the event (its data was trimmed), the
 * event is serialized whole.
 */
export function eventDocument(facts: DocumentFacts, payload?: Buffer): Buffer {
  const { data } = facts.event;
  const decided = decidedFields(facts);
  const end = payload?.lastIndexOf(CLOSING_BRACE) ?? -1;
  if (payload === undefined || end < 0 || facts.event.dataTrimmed || Object.keys(data).length === 0)
    return Buffer.from(JSON.stringify({ ...data, ...decided }));
  for (const [key, value] of Object.entries(decided))
    if (value === undefined && key in data) decided[key] = null;
  // Symbolicated fields come as JSON text already (see NormalizedEvent.symbolicated).
  const rewritten = Object.entries(facts.event.symbolicated ?? {})
    .map(([field, text]) => `"${field}":${text},`)
    .join('');
  // '}' is one byte in UTF-8 and never part of another character.
  return Buffer.concat([
    payload.subarray(0, end),
    Buffer.from(`,${rewritten}${JSON.stringify(decided).slice(1)}`),
  ]);
}
