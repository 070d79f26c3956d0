import {
  computeGrouping,
  deriveIssueSummary,
  type GroupingInput,
  type IssueSummary,
} from '../grouping/index.js';
import { packDocument } from '../lib/compression.js';
import type { NormalizedEvent } from '../protocol/normalized-event.js';
import { readTraceId } from '../protocol/trace-ids.js';
import type { NewEvent } from '../store/region/events.js';
import { eventDocument } from './event-document.js';
import { eventTags, userKey } from './event-tags.js';

/**
 * An error or message event, normalized and grouped, ready for its batch's writes: its events row
 * (the stored document included) and what finds or creates its issue.
 */
export interface GroupedEvent {
  readonly projectId: number;
  readonly row: Omit<NewEvent, 'projectId' | 'issueId'>;
  readonly hashes: readonly string[];
  readonly mechanism: string;
  readonly summary: IssueSummary;
  readonly logger: string | null;
  /** Who the row's user key stands for, when the event names a user. */
  readonly user: EventUserFields | null;
}

/** What an event says about its user, as event_users keeps it. */
export interface EventUserFields {
  readonly userId: string | null;
  readonly email: string | null;
  readonly username: string | null;
  readonly ipAddress: string | null;
  readonly name: string | null;
}

function userFields(event: NormalizedEvent): EventUserFields | null {
  const u = event.user;
  if (!u) return null;
  return {
    userId: u.id || null,
    email: u.email || null,
    username: u.username || null,
    ipAddress: u.ipAddress || null,
    name: u.name || null,
  };
}

/** Grouping reads the payload's shape, with the normalized message and fingerprint. */
function groupingInput(event: NormalizedEvent): GroupingInput {
  // Only the fields grouping reads: copying the whole payload object for it costs more than
  // grouping. Every field is named, so one added to GroupingInput fails to compile here.
  const { data } = event;
  const input: Record<keyof GroupingInput, unknown> = {
    exception: data.exception,
    stacktrace: data.stacktrace,
    threads: data.threads,
    culprit: data.culprit,
    level: data.level,
    logger: data.logger,
    tags: data.tags,
    request: data.request,
    transaction: data.transaction,
    message: event.message?.formatted,
    logentry: event.message
      ? { message: event.message.template, formatted: event.message.formatted }
      : undefined,
    fingerprint: event.fingerprint,
    platform: event.platform,
  };
  return input as GroupingInput;
}

/**
 * Groups a normalized event and builds its stored document, appended to `payload` (the event
 * item's bytes as sent) when given: pure work, done before the batch's writes.
 */
export function groupEvent(projectId: number, event: NormalizedEvent, payload?: Buffer): GroupedEvent {
  const input = groupingInput(event);
  const grouping = computeGrouping(input);
  const summary = deriveIssueSummary(input);
  const tags = eventTags(event);
  return {
    projectId,
    row: {
      eventId: event.eventId,
      type: summary.type,
      timestamp: event.timestamp,
      receivedAt: event.receivedAt,
      level: event.level,
      title: summary.title,
      message: event.message?.formatted ?? event.exceptions.at(-1)?.value ?? '',
      culprit: summary.culprit || null,
      release: event.release ?? null,
      environment: event.environment ?? null,
      platform: event.platform,
      transactionName: event.transaction ?? null,
      // As spans and logs keep it (lowercase, undashed), so that the trace finds its errors.
      traceId: readTraceId(event.contexts.trace?.trace_id) ?? null,
      userKey: userKey(event),
      tags,
      data: packDocument(eventDocument({ event, grouping, summary, tags }, payload)),
    },
    hashes: grouping.hashes,
    mechanism: grouping.mechanism,
    summary,
    logger: event.logger ?? null,
    user: userFields(event),
  };
}
