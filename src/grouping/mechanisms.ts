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
 * Each stored hash names its mechanism. There is one mechanism, and digest looks up its hashes
 * only; a second one must ship with digest also computing the older mechanism's hashes when none of
 * the new ones names an issue, and attaching the new hashes to the issue found, so that an upgrade
 * never splits issues.
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
