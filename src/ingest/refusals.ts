import { GroupCommit } from '../lib/group-commit.js';
import type { Outcome, OutcomeUnit } from '../protocol/outcome.js';
import { encodeRefusals, type RefusedOutcome } from '../store/region/outcomes.js';
import { OUTCOMES_KIND, type RawWriter } from '../store/region/raw-queue.js';
import type { ProjectKey } from '../store/types.js';

const HOUR_MS = 3_600_000;

interface Refusal {
  readonly key: ProjectKey;
  readonly receivedAt: number;
  readonly outcome: Outcome;
  readonly reason: string;
  readonly units: readonly OutcomeUnit[];
}

/**
 * Counts what ingest refuses (rate limited, invalid, too large) for usage stats. A refusal is
 * written like an accepted envelope, as a raw `outcomes` row that digest adds to the hourly
 * counts in its own transaction, so a count is on disk before the refusal is answered and counted
 * once. The refusals that arrive while one write is in flight become one row per key and hour:
 * a flood of refused requests costs a few rows per commit, not one each.
 */
export class RefusalCounter {
  private readonly commit: GroupCommit<Refusal>;

  constructor(writer: RawWriter) {
    this.commit = new GroupCommit(async (batch) => {
      await Promise.all(
        rows(batch).map(({ key, bucket, refusals }) =>
          writer.add({
            projectId: key.projectId,
            keyId: key.id,
            kind: OUTCOMES_KIND,
            receivedAt: bucket,
            eventId: null,
            clientIp: null,
            payload: encodeRefusals(refusals),
            encoding: null,
          }),
        ),
      );
    }, 500);
  }

  /**
   * Counts the units as refused and resolves once that is committed. A count that cannot be
   * written (the database is away) is given up: the client gets its refusal either way.
   */
  async refuse(
    key: ProjectKey,
    receivedAt: number,
    units: readonly OutcomeUnit[],
    outcome: Outcome,
    reason: string,
  ): Promise<void> {
    if (units.length === 0) return;
    await this.commit.add({ key, receivedAt, outcome, reason, units }).catch(() => {});
  }
}

/** The batch as one row per key and hour, equal outcomes summed. */
function rows(batch: readonly Refusal[]) {
  const byRow = new Map<string, { key: ProjectKey; bucket: number; sums: Map<string, RefusedOutcome> }>();
  for (const r of batch) {
    const bucket = Math.floor(r.receivedAt / HOUR_MS) * HOUR_MS;
    const rowKey = `${r.key.id} ${bucket}`;
    let row = byRow.get(rowKey);
    if (!row) {
      row = { key: r.key, bucket, sums: new Map() };
      byRow.set(rowKey, row);
    }
    for (const unit of r.units) {
      const id = JSON.stringify([r.outcome, r.reason, unit.category]);
      const seen = row.sums.get(id);
      row.sums.set(id, {
        outcome: r.outcome,
        reason: r.reason,
        category: unit.category,
        quantity: (seen?.quantity ?? 0) + unit.quantity,
        timesSeen: (seen?.timesSeen ?? 0) + 1,
      });
    }
  }
  return [...byRow.values()].map((row) => ({ ...row, refusals: [...row.sums.values()] }));
}
