import { errata202611 } from './errata-2026-11.js';
import type { GroupingInput } from './grouping-input.js';
import type { GroupingMechanism, GroupingResult } from './grouping-mechanism.js';

/** Every mechanism that ever shipped, by id. Never remove one: stored hashes name it. */
export const mechanisms: ReadonlyMap<string, GroupingMechanism> = new Map([[errata202611.id, errata202611]]);

/** The mechanism new events are grouped with. */
export const CURRENT_MECHANISM = errata202611.id;

/**
 * The grouping hashes of an event, made by `mechanismId` (default: the current mechanism). Throws
 * on an unknown id, which only a programming or data error can produce.
 *
 * To change grouping without splitting issues, the digest computes the current mechanism's hashes
 * and, when none of them names an issue yet, also those of the mechanisms stored on the project's
 * existing hashes; a hit there attaches the new hashes to that issue.
 *
 * @example
 * computeGrouping({ message: 'Order 1234 failed' })
 * // { mechanism: 'errata:2026-11', hashes: ['…32 hex…'], variant: 'message' }
 */
export function computeGrouping(
  event: GroupingInput,
  mechanismId: string = CURRENT_MECHANISM,
): GroupingResult {
  const mechanism = mechanisms.get(mechanismId);
  if (mechanism === undefined) throw new Error(`unknown grouping mechanism ${JSON.stringify(mechanismId)}`);
  return mechanism.group(event);
}
