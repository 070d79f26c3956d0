import { type Kysely, sql } from 'kysely';
import type { RegionSchema } from '../schema.js';

type Db = Kysely<RegionSchema>;

/** A rule and an issue it may notify about. */
export interface RuleIssue {
  readonly ruleId: number;
  readonly issueId: number;
}

/** Pairs per statement: far below either engine's parameter limit. */
const CHUNK = 300;

/** A pair's key in `findRuleFires`' map. */
export const ruleIssueKey = (pair: RuleIssue) => `${pair.ruleId}:${pair.issueId}`;

/** Each pair once, in (rule, issue) order: the order concurrent transactions lock rows in. */
function ordered(pairs: readonly RuleIssue[]): RuleIssue[] {
  const unique = new Map(pairs.map((p) => [ruleIssueKey(p), p]));
  return [...unique.values()].sort((a, b) => a.ruleId - b.ruleId || a.issueId - b.issueId);
}

/**
 * When each of the pairs that ever fired last fired, by `ruleIssueKey`: a
 * read that lets digest skip the counting for rules that could not fire again yet.
 */
export async function findRuleFires(db: Db, pairs: readonly RuleIssue[]): Promise<Map<string, number>> {
  const fired = new Map<string, number>();
  const list = ordered(pairs);
  for (let at = 0; at < list.length; at += CHUNK) {
    const chunk = list.slice(at, at + CHUNK);
    const rows = await db
      .selectFrom('alert_rule_fires')
      .select(['rule_id', 'issue_id', 'last_fired_at'])
      .where('rule_id', 'in', [...new Set(chunk.map((p) => p.ruleId))])
      .where('issue_id', 'in', [...new Set(chunk.map((p) => p.issueId))])
      .execute();
    for (const row of rows)
      fired.set(ruleIssueKey({ ruleId: row.rule_id, issueId: row.issue_id }), row.last_fired_at);
  }
  return fired;
}

/**
 * Claims the right to fire for each pair whose last fire is at least `frequencyMs` before `now`
 * (or that never fired), and returns the pairs claimed. One conditional upsert: on PostgreSQL a
 * second transaction claiming the same pair waits for the first's row, then finds it fired and
 * claims nothing, so of transactions digesting one issue at once exactly one fires per interval.
 * Call it inside the transaction that enqueues the notifications, so that both commit or neither.
 */
export async function claimRuleFires(
  db: Db,
  pairs: readonly RuleIssue[],
  frequencyMs: number,
  now: number,
): Promise<RuleIssue[]> {
  const claimed: RuleIssue[] = [];
  const list = ordered(pairs);
  for (let at = 0; at < list.length; at += CHUNK) {
    const rows = await db
      .insertInto('alert_rule_fires')
      .values(
        list
          .slice(at, at + CHUNK)
          .map((p) => ({ rule_id: p.ruleId, issue_id: p.issueId, last_fired_at: now })),
      )
      .onConflict((oc) =>
        oc
          .columns(['rule_id', 'issue_id'])
          .doUpdateSet({ last_fired_at: (eb) => eb.ref('excluded.last_fired_at') })
          .where(
            sql<boolean>`alert_rule_fires.last_fired_at <= excluded.last_fired_at - cast(${frequencyMs} as bigint)`,
          ),
      )
      .returning(['rule_id', 'issue_id'])
      .execute();
    for (const row of rows) claimed.push({ ruleId: row.rule_id, issueId: row.issue_id });
  }
  return claimed;
}

/** When each of these rules last fired for any issue, by rule id (rules that never fired are absent). */
export async function findRulesLastFired(db: Db, ruleIds: readonly number[]): Promise<Map<number, number>> {
  if (ruleIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('alert_rule_fires')
    .select((eb) => ['rule_id', eb.fn.max('last_fired_at').as('last')])
    .where('rule_id', 'in', [...new Set(ruleIds)])
    .groupBy('rule_id')
    .execute();
  return new Map(rows.map((r) => [r.rule_id, Number(r.last)]));
}
