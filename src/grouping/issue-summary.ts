import { displayFunction, findCrashFrame } from './crash-frame.js';
import { deriveCulprit } from './culprit.js';
import {
  type ExceptionInput,
  exceptionsOf,
  type GroupingInput,
  isSynthetic,
  messageOf,
  text,
} from './grouping-input.js';
import { truncate } from './truncate.js';

/** What the issue list shows; the newest event's metadata replaces the issue's. */
export interface IssueMetadata {
  title: string;
  /** Error events: the main exception's type (`Error` when missing); absent for synthetic ones. */
  type?: string;
  /** Error events: the main exception's value, possibly `''`. */
  value?: string;
  /** Error events: the crash frame's `filename`, else its `abs_path`. */
  filename?: string;
  /** Error events: the crash frame's function. */
  function?: string;
}

export interface IssueSummary {
  /** `error` when the event carries an exception, else `default` (a message or an empty event). */
  type: 'error' | 'default';
  title: string;
  culprit: string;
  metadata: IssueMetadata;
}

/** The title an event without any text gets; callers must not let it replace a real title. */
export const UNLABELED_TITLE = '<unlabeled event>';

const MAX_TITLE = 100;
const MAX_TYPE = 128;
const MAX_VALUE = 1024;

/**
 * The issue's title, culprit and metadata, derived as Sentry derives them (reference §6.3).
 *
 * @example
 * deriveIssueSummary({ exception: { values: [{ type: 'TypeError', value: 'x is undefined' }] } })
 * // { type: 'error', title: 'TypeError: x is undefined', culprit: '',
 * //   metadata: { title: 'TypeError: x is undefined', type: 'TypeError', value: 'x is undefined' } }
 */
export function deriveIssueSummary(event: GroupingInput): IssueSummary {
  const main = exceptionsOf(event).at(-1);
  const culprit = deriveCulprit(event);
  if (main === undefined) {
    const title = defaultTitle(event);
    return { type: 'default', title, culprit, metadata: { title } };
  }
  const metadata = errorMetadata(event, main);
  return { type: 'error', title: metadata.title, culprit, metadata };
}

function errorMetadata(event: GroupingInput, main: ExceptionInput): IssueMetadata {
  const type = isSynthetic(main) ? undefined : truncate(text(main.type)?.trim() || 'Error', MAX_TYPE);
  const value = truncate(text(main.value)?.trim() ?? '', MAX_VALUE);
  const frame = findCrashFrame(event);
  const filename = frame && (text(frame.filename) ?? text(frame.abs_path));
  const fn = frame && displayFunction(frame);

  let title: string;
  // @sentry/node's captureMessage sends the message again as a synthetic exception's value: such
  // an event is titled by its message, which is what people search for; other synthetic
  // exceptions (native crashes) keep the crash function, as in Sentry.
  const message = messageOf(event);
  const said = (message.formatted ?? message.template ?? '').trim();
  if (type === undefined)
    title = said !== '' && said === value ? truncate(firstLine(said), MAX_TITLE) : (fn ?? '<unknown>');
  else if (value === '') title = type;
  else title = `${type}: ${truncate(firstLine(value), MAX_TITLE)}`;

  const metadata: IssueMetadata = { title, value };
  if (type !== undefined) metadata.type = type;
  if (filename !== undefined) metadata.filename = filename;
  if (fn !== undefined) metadata.function = fn;
  return metadata;
}

function defaultTitle(event: GroupingInput): string {
  const { template, formatted } = messageOf(event);
  const line = firstLine((formatted ?? template ?? '').trim());
  return line === '' ? UNLABELED_TITLE : truncate(line, MAX_TITLE);
}

function firstLine(value: string): string {
  const end = value.indexOf('\n');
  return (end === -1 ? value : value.slice(0, end)).trimEnd();
}
