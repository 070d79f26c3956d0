import { type Kysely, sql } from 'kysely';
import type { RegionSchema } from '../schema.js';

type Db = Kysely<RegionSchema>;

/** A count over an issue's events: all of them, or their distinct users, since a time. */
export interface FrequencyWindow {
  readonly kind: 'events' | 'users';
  /** Epoch ms; events whose timestamp is at or after it count. */
  readonly since: number;
  /** Only events of this environment; null: all. */
  readonly environment: string | null;
}

/** Issues per statement: far below either engine's parameter limit. */
const CHUNK = 500;

/**
 * Counts each issue's events (or distinct users, by the events' user key) in each window, all
 * windows in one statement that reads the issue's events once through (issue_id, timestamp) from
 * the oldest window's start. Returns, per issue, one count per window in the order given; an
 * issue without an event in any window is absent (its counts are 0). Events are counted by their
 * own timestamp, as Sentry counts them; events stored in the calling transaction count too.
 */
export async function countIssueFrequencies(
  db: Db,
  issueIds: readonly number[],
  windows: readonly FrequencyWindow[],
): Promise<Map<number, number[]>> {
  const counts = new Map<number, number[]>();
  if (issueIds.length === 0 || windows.length === 0) return counts;
  const from = Math.min(...windows.map((w) => w.since));
  const columns = windows.map((w, i) => {
    const inWindow =
      w.environment === null
        ? sql`timestamp >= ${w.since}`
        : sql`timestamp >= ${w.since} and environment = ${w.environment}`;
    const count =
      w.kind === 'events'
        ? sql<number>`count(case when ${inWindow} then 1 end)`
        : sql<number>`count(distinct case when ${inWindow} then user_key end)`;
    return count.as(`c${i}`);
  });
  for (let at = 0; at < issueIds.length; at += CHUNK) {
    const rows = await db
      .selectFrom('events')
      .select('issue_id')
      .select(columns)
      .where('issue_id', 'in', issueIds.slice(at, at + CHUNK))
      .where('timestamp', '>=', from)
      .groupBy('issue_id')
      .execute();
    for (const row of rows) {
      const values = row as unknown as Record<string, number>;
      counts.set(
        row.issue_id as number,
        windows.map((_, i) => Number(values[`c${i}`])),
      );
    }
  }
  return counts;
}
