import type { GroupingInput } from './grouping-input.js';

/**
 * Which rule set the primary hash:
 * - `custom-fingerprint`: the event's `fingerprint`, with or without `{{ default }}`;
 * - `stacktrace`: frames of the exceptions (with their types), of the only thread, or of the
 *   top-level stack trace;
 * - `exception`: exception types and normalized values, when no frame contributes;
 * - `message`: the normalized message;
 * - `fallback`: nothing usable, so every such event shares one fixed hash.
 */
export type GroupingVariant = 'custom-fingerprint' | 'stacktrace' | 'exception' | 'message' | 'fallback';

export interface GroupingResult {
  /** The id of the mechanism that made the hashes; store it with each hash. */
  mechanism: string;
  /**
   * Lowercase hex digests, the primary first. An event belongs to the issue of any of them; the
   * others let events whose SDK marked frames differently (no `in_app` at all) find the same issue.
   */
  hashes: string[];
  variant: GroupingVariant;
}

/**
 * One frozen way of turning an event into grouping hashes. Once a mechanism has shipped, its output
 * for a given event must never change, or existing issues silently split: to group differently, add
 * a new mechanism file (and id), register it in `mechanisms.ts` and move `CURRENT_MECHANISM`.
 */
export interface GroupingMechanism {
  /** `errata:YYYY-MM`, stored next to every hash it makes. */
  readonly id: string;
  readonly description: string;
  group(event: GroupingInput): GroupingResult;
}
