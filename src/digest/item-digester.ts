import type { Kysely } from 'kysely';
import type { EnvelopeHeaders, EnvelopeItem } from '../protocol/envelope.js';
import type { Engine } from '../store/db.js';
import type { ClaimedEnvelope } from '../store/region/raw-queue.js';
import type { RegionSchema } from '../store/schema.js';

/** Everything one item's digest may need besides the item itself. */
export interface ItemContext {
  /** The digest transaction: every write of a batch commits together with the raw rows' removal. */
  readonly trx: Kysely<RegionSchema>;
  readonly engine: Engine;
  readonly raw: ClaimedEnvelope;
  readonly envelopeHeaders: EnvelopeHeaders;
  /** The event id the envelope answered with (header, event item, or generated at ingest). */
  readonly eventId: string | null;
  /**
   * Says that `count` of the item's records (a log container's; one for any other item) could not
   * be kept, for `reason`: usage stats then count them as `invalid`, not accepted.
   */
  readonly reject: (count: number, reason: string) => void;
}

/**
 * Turns one envelope item into rows. Items that are not JSON or not the expected shape are
 * skipped (returning normally): a bad item never fails the envelope it came in.
 */
export type ItemDigester = (ctx: ItemContext, item: EnvelopeItem) => Promise<void>;
